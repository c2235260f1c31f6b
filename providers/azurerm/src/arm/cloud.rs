//! Which Azure cloud to talk to: the built-in clouds by name (`public`, `usgovernment`,
//! `china`), or a custom one described by its metadata endpoint
//! (`{metadata_host}/metadata/endpoints?api-version=2022-09-01`), as the azurerm provider
//! finds Azure Stack and sovereign clouds. Endpoints must use https, except on loopback
//! addresses (the simulator, test servers), where plain http is accepted.

use super::error::ArmError;
use super::transport::{Outgoing, Transport};
use azure_core::http::{Method, Url};
use serde_json::Value as Json;
use std::net::IpAddr;

/// The endpoints of one cloud.
#[derive(Clone, Debug, PartialEq)]
pub struct Cloud {
    pub name: String,
    /// Azure Resource Manager, with a trailing slash.
    pub resource_manager: Url,
    /// Microsoft Entra ID's login endpoint (the authority host).
    pub login_endpoint: Url,
    /// The audience tokens for ARM are requested for.
    pub audience: String,
}

impl Cloud {
    /// A built-in cloud by the name the azurerm provider's `environment` takes.
    pub fn by_name(name: &str) -> Option<Cloud> {
        let (arm, login, audience) = match name.to_ascii_lowercase().as_str() {
            "public" => (
                "https://management.azure.com/",
                "https://login.microsoftonline.com/",
                "https://management.core.windows.net/",
            ),
            "usgovernment" => (
                "https://management.usgovcloudapi.net/",
                "https://login.microsoftonline.us/",
                "https://management.core.usgovcloudapi.net/",
            ),
            "china" => (
                "https://management.chinacloudapi.cn/",
                "https://login.chinacloudapi.cn/",
                "https://management.core.chinacloudapi.cn/",
            ),
            _ => return None,
        };
        Some(Cloud {
            name: name.to_ascii_lowercase(),
            resource_manager: Url::parse(arm).ok()?,
            login_endpoint: Url::parse(login).ok()?,
            audience: audience.to_string(),
        })
    }

    /// The cloud a metadata host describes. `host` is a host name with an optional port
    /// (`management.azure.com`, `127.0.0.1:8443`) or a URL; a bare loopback host is reached over
    /// http, anything else over https.
    pub async fn from_metadata_host(transport: &Transport, host: &str) -> Result<Cloud, String> {
        let base = metadata_base(host)?;
        let mut url = base
            .join("metadata/endpoints")
            .map_err(|e| format!("invalid metadata host {host:?}: {e}"))?;
        url.set_query(Some("api-version=2022-09-01"));
        let answer = transport
            .send(&Outgoing::new(Method::Get, url).header("accept", "application/json"))
            .await
            .map_err(|e| format!("retrieving the cloud metadata from {host:?}: {e}"))?;
        if !answer.is_success() {
            return Err(format!(
                "retrieving the cloud metadata from {host:?}: {}",
                answer.error()
            ));
        }
        let json = answer
            .json()
            .map_err(|e: ArmError| format!("reading the cloud metadata from {host:?}: {e}"))?;
        Cloud::from_metadata(&json, &base)
    }

    /// The cloud of a metadata document: an object, or (older api-versions) a list of them,
    /// of which the one whose resource manager is at the metadata host is taken.
    pub fn from_metadata(json: &Json, base: &Url) -> Result<Cloud, String> {
        let entry = match json {
            Json::Array(entries) if entries.len() == 1 => &entries[0],
            Json::Array(entries) => entries
                .iter()
                .find(|e| {
                    e.get("resourceManager")
                        .and_then(Json::as_str)
                        .and_then(|u| Url::parse(u).ok())
                        .is_some_and(|u| u.host_str() == base.host_str())
                })
                .ok_or("the cloud metadata lists no cloud served by this host")?,
            other => other,
        };
        let resource_manager = match entry.get("resourceManager").and_then(Json::as_str) {
            Some(url) if !url.is_empty() => parse_endpoint(url)?,
            _ => base.clone(),
        };
        let login = entry
            .pointer("/authentication/loginEndpoint")
            .and_then(Json::as_str)
            .ok_or("the cloud metadata has no authentication.loginEndpoint")?;
        let login_endpoint = parse_endpoint(login)?;
        let audience = entry
            .pointer("/authentication/audiences/0")
            .and_then(Json::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| resource_manager.to_string());
        Ok(Cloud {
            name: entry
                .get("name")
                .and_then(Json::as_str)
                .unwrap_or("custom")
                .to_string(),
            resource_manager,
            login_endpoint,
            audience,
        })
    }

    /// The OAuth scope of tokens for ARM.
    pub fn scope(&self) -> String {
        format!("{}/.default", self.audience.trim_end_matches('/'))
    }

    /// The token endpoint of a tenant.
    pub fn token_url(&self, tenant_id: &str) -> Result<Url, String> {
        self.login_endpoint
            .join(&format!("{tenant_id}/oauth2/v2.0/token"))
            .map_err(|e| format!("invalid tenant id {tenant_id:?}: {e}"))
    }
}

/// Whether a host name is a loopback address (or `localhost`).
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Parses an endpoint URL, refusing plain http anywhere but on loopback, and ensures it ends
/// with a slash (so that relative paths join below it).
pub fn parse_endpoint(text: &str) -> Result<Url, String> {
    let mut url = Url::parse(text).map_err(|e| format!("invalid endpoint {text:?}: {e}"))?;
    check_scheme(&url)?;
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

/// Refuses anything but https, except http to a loopback address.
pub fn check_scheme(url: &Url) -> Result<(), String> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if url.host_str().is_some_and(is_loopback_host) => Ok(()),
        "http" => Err(format!(
            "{url} uses plain http, which is accepted for loopback addresses only"
        )),
        other => Err(format!("{url} uses the unsupported scheme {other:?}")),
    }
}

fn metadata_base(host: &str) -> Result<Url, String> {
    let host = host.trim().trim_end_matches('/');
    if host.is_empty() {
        return Err("the metadata host is empty".into());
    }
    if host.contains("://") {
        return parse_endpoint(host);
    }
    let name = host
        .rsplit_once(':')
        .filter(|(_, port)| port.chars().all(|c| c.is_ascii_digit()))
        .map_or(host, |(name, _)| name);
    let scheme = if is_loopback_host(name) {
        "http"
    } else {
        "https"
    };
    parse_endpoint(&format!("{scheme}://{host}/"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn built_in_clouds() {
        let public = Cloud::by_name("public").unwrap();
        assert_eq!(
            public.resource_manager.as_str(),
            "https://management.azure.com/"
        );
        assert_eq!(
            public.scope(),
            "https://management.core.windows.net/.default"
        );
        assert_eq!(
            public.token_url("t").unwrap().as_str(),
            "https://login.microsoftonline.com/t/oauth2/v2.0/token"
        );
        assert!(Cloud::by_name("China").is_some());
        assert!(Cloud::by_name("german").is_none());
    }

    #[test]
    fn http_only_on_loopback() {
        assert!(parse_endpoint("http://127.0.0.1:8080").is_ok());
        assert!(parse_endpoint("http://localhost/").is_ok());
        assert!(parse_endpoint("http://[::1]:9/").is_ok());
        assert!(parse_endpoint("http://10.0.0.1/").is_err());
        assert!(parse_endpoint("http://example.com/").is_err());
        assert!(parse_endpoint("https://example.com").is_ok());
        assert_eq!(
            metadata_base("127.0.0.1:5000").unwrap().as_str(),
            "http://127.0.0.1:5000/"
        );
        assert_eq!(
            metadata_base("management.azure.com").unwrap().as_str(),
            "https://management.azure.com/"
        );
    }

    #[test]
    fn metadata_documents() {
        let base = Url::parse("http://127.0.0.1:5000/").unwrap();
        let doc = json!({
            "name": "sim",
            "resourceManager": "http://127.0.0.1:5000/",
            "authentication": {"loginEndpoint": "http://127.0.0.1:5000/login", "audiences": ["http://127.0.0.1:5000/"]}
        });
        let cloud = Cloud::from_metadata(&doc, &base).unwrap();
        assert_eq!(cloud.name, "sim");
        assert_eq!(
            cloud.token_url("tenant").unwrap().as_str(),
            "http://127.0.0.1:5000/login/tenant/oauth2/v2.0/token"
        );
        assert_eq!(cloud.scope(), "http://127.0.0.1:5000/.default");
        let list = json!([doc, {"name": "other", "resourceManager": "https://x.example/", "authentication": {"loginEndpoint": "https://l.example/"}}]);
        assert_eq!(Cloud::from_metadata(&list, &base).unwrap().name, "sim");
        let insecure = json!({"resourceManager": "http://10.1.1.1/", "authentication": {"loginEndpoint": "https://l/"}});
        assert!(Cloud::from_metadata(&insecure, &base).is_err());
    }
}
