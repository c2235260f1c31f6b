//! The HTTP server: accepts connections on loopback with hyper, and routes each request to the
//! metadata endpoint, Entra's token endpoints, the managed-identity endpoint, the key vault data
//! plane or ARM; adds the configured latency, injects the configured faults (ARM and key vault
//! requests only, before anything is done, so that a faulted request changes nothing), applies
//! ARM's request limits, and writes the data file after every change.

use crate::auth::{self, Caller};
use crate::http::{ArmError, Request, Response};
use crate::store::Store;
use crate::throttle::{self, Fault, OpClass, Throttle};
use crate::util::{self, now_ms};
use crate::{arm, lro, vault_data, Faults};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The simulator's shared state.
pub(crate) struct Sim {
    pub base: String,
    pub speed: f64,
    pub latency: Duration,
    pub faults: Faults,
    pub data: Option<PathBuf>,
    pub store: Mutex<Store>,
    pub throttle: Mutex<Throttle>,
}

impl Sim {
    pub fn new(base: String, options: &crate::Options, store: Store) -> Sim {
        Sim {
            base,
            speed: options.speed,
            latency: options.latency,
            faults: options.faults,
            data: options.data.clone(),
            store: Mutex::new(store),
            throttle: Mutex::new(Throttle::default()),
        }
    }

    /// Writes the data file (when there is one).
    pub fn save(&self, store: &Store) {
        if let Some(path) = &self.data {
            if let Err(e) = store.save(path) {
                eprintln!("terrane sim: {e}");
            }
        }
    }

    /// Answers a request; `roll` (uniform in [0, 1)) decides its fault. `None` drops the
    /// connection without an answer.
    pub fn handle(&self, req: &Request, roll: f64) -> Option<Response> {
        let segs = req.segments();
        let lower: Vec<String> = segs.iter().map(|s| s.to_ascii_lowercase()).collect();
        let l: Vec<&str> = lower.iter().map(String::as_str).collect();
        let key = || self.lock().signing_key.clone();
        let response = match l.as_slice() {
            ["metadata", "endpoints"] => self.metadata(req),
            ["metadata", "identity", "oauth2", "token"] => auth::imds(&key(), &self.base, req),
            [_, "oauth2", "v2.0", "token"] => {
                auth::token_endpoint(&key(), &self.base, &segs[0], false, req)
            }
            [_, "oauth2", "token"] => auth::token_endpoint(&key(), &self.base, &segs[0], true, req),
            [_, "v2.0", ".well-known", "openid-configuration"]
            | [_, ".well-known", "openid-configuration"] => {
                auth::openid_configuration(&self.base, &segs[0])
            }
            ["keyvault", ..] => {
                let class = OpClass::of(&req.method);
                if let Some(refusal) = self.fault(roll, class) {
                    return refusal;
                }
                self.vault(req, &segs[1..])
            }
            _ => {
                let class = OpClass::of(&req.method);
                if let Some(refusal) = self.fault(roll, class) {
                    return refusal;
                }
                self.arm(req, class)
            }
        };
        Some(with_request_ids(response, req))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The fault drawn for a request: `Some(None)` drops it, `Some(Some(r))` answers `r`.
    fn fault(&self, roll: f64, class: OpClass) -> Option<Option<Response>> {
        match self.faults.draw(roll) {
            Fault::None => None,
            Fault::Drop => Some(None),
            Fault::ServerError => Some(Some(throttle::injected_server_error().response())),
            Fault::Throttle => Some(Some(
                throttle::injected_throttle(class, self.speed).response(),
            )),
        }
    }

    fn metadata(&self, req: &Request) -> Response {
        let base = &self.base;
        let doc = json!({
            "name": "AzureSimulator",
            "portal": format!("{base}/portal"),
            "resourceManager": format!("{base}/"),
            "authentication": {
                "loginEndpoint": base,
                "audiences": auth::arm_audiences(base),
                "tenant": "common",
                "identityProvider": "AAD",
            },
            "media": format!("{base}/media"),
            "graph": format!("{base}/graph/"),
            "graphAudience": "https://graph.windows.net/",
            "microsoftGraphResourceId": "https://graph.microsoft.com/",
            "activeDirectoryDataLake": "https://datalake.azure.net/",
            "batch": "https://batch.core.windows.net/",
            "sqlManagement": format!("{base}/sql/"),
            "vmImageAliasDoc": "",
            "suffixes": {
                "acrLoginServer": "azurecr.io",
                "keyVaultDns": "vault.azure.net",
                "mhsmDns": "managedhsm.azure.net",
                "storage": "core.windows.net",
                "sqlServerHostname": "database.windows.net",
                "postgresqlServerEndpoint": "postgres.database.azure.com",
                "mysqlServerEndpoint": "mysql.database.azure.com",
                "mariadbServerEndpoint": "mariadb.database.azure.com",
                "azureFrontDoorEndpointSuffix": "azurefd.net",
                "storageSyncEndpointSuffix": "afs.azure.net",
                "attestationEndpoint": "attest.azure.net",
                "synapseAnalytics": "dev.azuresynapse.net",
                "azureDataLakeStoreFileSystem": "azuredatalakestore.net",
                "azureDataLakeAnalyticsCatalogAndJob": "azuredatalakeanalytics.net",
            },
        });
        // Older api-versions answer with the list of clouds.
        match req.query("api-version") {
            Some(v) if v < "2022-09-01" => Response::json(200, &Value::Array(vec![doc])),
            _ => Response::json(200, &doc),
        }
    }

    /// An ARM request: its token, the request limits, then the handlers on the store.
    fn arm(&self, req: &Request, class: OpClass) -> Response {
        let now = now_ms();
        let audiences = auth::arm_audiences(&self.base);
        let caller = match auth::verify(&key_of(self), req.header("Authorization"), &audiences, now)
        {
            Ok(caller) => caller,
            Err(problem) => return auth::arm_refusal(problem, &self.base, &audiences).response(),
        };
        let admitted = self
            .throttle
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .admit(&caller.object_id, class, now, self.speed);
        let limit_headers = match admitted {
            Ok(headers) => headers,
            Err(refusal) => return refusal.response(),
        };
        let mut response = self.with_store(now, &caller, |ctx| arm::handle(ctx, req));
        response.headers.extend(limit_headers);
        response
    }

    /// Runs a handler on the settled store; writes the data file if anything changed.
    fn with_store(
        &self,
        now: i64,
        caller: &Caller,
        f: impl FnOnce(&mut arm::Ctx) -> Result<Response, ArmError>,
    ) -> Response {
        let mut store = self.lock();
        let settled = lro::settle(&mut store, now);
        let (result, mutated) = {
            let mut ctx = arm::Ctx {
                store: &mut store,
                base: &self.base,
                speed: self.speed,
                now,
                caller,
                mutated: false,
            };
            let result = f(&mut ctx);
            (result, ctx.mutated)
        };
        if settled || mutated {
            self.save(&store);
        }
        result.unwrap_or_else(|e| e.response())
    }

    fn vault(&self, req: &Request, segs: &[String]) -> Response {
        let now = now_ms();
        let audiences = vec![auth::VAULT_AUDIENCE.to_string()];
        let caller = match auth::verify(&key_of(self), req.header("Authorization"), &audiences, now)
        {
            Ok(caller) => caller,
            Err(_) => {
                return Response::json(
                    401,
                    &json!({"error": {"code": "Unauthorized", "message": "AKV10000: Request is missing a Bearer or PoP token."}}),
                )
                .with_header(
                    "WWW-Authenticate",
                    format!(
                        "Bearer authorization=\"{}/{}\", resource=\"{}\"",
                        self.base,
                        crate::TENANT_ID,
                        auth::VAULT_AUDIENCE
                    ),
                );
            }
        };
        let mut store = self.lock();
        let settled = lro::settle(&mut store, now);
        let (response, mutated) =
            vault_data::handle(&mut store, &self.base, req, segs, &caller, now);
        if settled || mutated {
            self.save(&store);
        }
        response
    }

    /// Serves one hyper request.
    pub async fn serve(
        self: Arc<Sim>,
        request: hyper::Request<hyper::body::Incoming>,
    ) -> Result<hyper::Response<Full<Bytes>>, std::io::Error> {
        let (parts, body) = request.into_parts();
        let body = body
            .collect()
            .await
            .map_err(|e| std::io::Error::other(e.to_string()))?
            .to_bytes();
        let path_and_query = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/");
        let mut req = Request::new(parts.method.as_str(), path_and_query);
        for (name, value) in &parts.headers {
            if let Ok(value) = value.to_str() {
                req.headers
                    .push((name.as_str().to_string(), value.to_string()));
            }
        }
        req.body = body.to_vec();
        if !self.latency.is_zero() {
            tokio::time::sleep(self.latency).await;
        }
        let roll: f64 = rand::random();
        let Some(response) = self.handle(&req, roll) else {
            return Err(std::io::Error::other("connection dropped by --faults"));
        };
        let mut builder = hyper::Response::builder().status(response.status);
        for (name, value) in &response.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        builder
            .body(Full::new(Bytes::from(response.body)))
            .map_err(|e| std::io::Error::other(e.to_string()))
    }
}

fn key_of(sim: &Sim) -> String {
    sim.lock().signing_key.clone()
}

/// ARM's request tracking headers.
fn with_request_ids(response: Response, req: &Request) -> Response {
    let correlation = req
        .header("x-ms-correlation-request-id")
        .map(str::to_string)
        .unwrap_or_else(util::new_uuid);
    let mut response = response
        .with_header("x-ms-request-id", util::new_uuid())
        .with_header("x-ms-correlation-request-id", correlation)
        .with_header(
            "x-ms-routing-request-id",
            format!(
                "SIMULATOR:{}:{}",
                util::timestamp(now_ms()),
                util::new_uuid()
            ),
        );
    if let Some(client) = req.header("x-ms-client-request-id") {
        response = response.with_header("x-ms-client-request-id", client);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Options, SUBSCRIPTION_ID};

    const SUB: &str = "/subscriptions/7e77a1e0-0000-4000-8000-000000000002";

    fn sim_with(options: Options, store: Store) -> Sim {
        Sim::new("http://sim.test".into(), &options, store)
    }

    fn fast() -> Options {
        Options {
            speed: 1e9,
            ..Options::default()
        }
    }

    fn bearer(sim: &Sim) -> String {
        let caller = Caller {
            app_id: crate::CLIENT_ID.into(),
            object_id: crate::CLIENT_OBJECT_ID.into(),
            kind: "Application",
        };
        let key = sim.lock().signing_key.clone();
        format!(
            "Bearer {}",
            auth::issue(
                &key,
                &sim.base,
                "https://management.azure.com/",
                &caller,
                now_ms()
            )
        )
    }

    fn call(sim: &Sim, method: &str, path: &str, body: Option<Value>) -> Response {
        let mut req = Request::new(method, path).with_header("Authorization", &bearer(sim));
        if let Some(body) = body {
            req = req.with_json(&body);
        }
        sim.handle(&req, 0.99).expect("an answer")
    }

    /// Lets operations due at the current millisecond become due.
    fn later() {
        std::thread::sleep(Duration::from_millis(3));
    }

    fn group(sim: &Sim, name: &str) {
        let r = call(
            sim,
            "PUT",
            &format!("{SUB}/resourcegroups/{name}?api-version=2021-04-01"),
            Some(json!({"location": "westeurope"})),
        );
        assert_eq!(r.status, 201, "{:?}", r.body_json());
    }

    fn vnet_with_subnet(sim: &Sim, rg: &str) -> String {
        let path =
            format!("{SUB}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/vnet");
        let r = call(
            sim,
            "PUT",
            &format!("{path}?api-version=2024-05-01"),
            Some(json!({
                "location": "westeurope",
                "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}, "subnets": [{"name": "a", "properties": {"addressPrefix": "10.0.1.0/24"}}]}
            })),
        );
        assert_eq!(r.status, 201, "{:?}", r.body_json());
        path
    }

    #[test]
    fn requests_need_a_token_the_simulator_issued() {
        let sim = sim_with(fast(), Store::new());
        let req = Request::new(
            "GET",
            &format!("{SUB}/resourcegroups?api-version=2021-04-01"),
        );
        let r = sim.handle(&req, 0.99).unwrap();
        assert_eq!(r.status, 401);
        assert_eq!(r.body_json()["error"]["code"], "AuthenticationFailed");
        let other = sim_with(fast(), Store::new());
        let forged = req.clone().with_header("Authorization", &bearer(&other));
        assert_eq!(
            sim.handle(&forged, 0.99).unwrap().body_json()["error"]["code"],
            "InvalidAuthenticationToken"
        );
        let ok = req.with_header("Authorization", &bearer(&sim));
        assert_eq!(sim.handle(&ok, 0.99).unwrap().status, 200);
    }

    #[test]
    fn required_properties_and_enums_are_checked() {
        let sim = sim_with(fast(), Store::new());
        group(&sim, "rg");
        let redis = format!(
            "{SUB}/resourceGroups/rg/providers/Microsoft.Cache/redis/cache1?api-version=2024-11-01"
        );
        let r = call(
            &sim,
            "PUT",
            &redis,
            Some(json!({"location": "westeurope", "properties": {}})),
        );
        assert_eq!(
            (r.status, r.body_json()["error"]["code"].clone()),
            (400, json!("InvalidRequestBody"))
        );
        let r = call(
            &sim,
            "PUT",
            &redis,
            Some(
                json!({"location": "westeurope", "properties": {"sku": {"name": "Gold", "family": "C", "capacity": 1}}}),
            ),
        );
        assert!(r.body_json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Allowed values are: Basic, Standard, Premium"));
        let r = call(
            &sim,
            "PUT",
            &redis,
            Some(
                json!({"location": "atlantis", "properties": {"sku": {"name": "Basic", "family": "C", "capacity": 1}}}),
            ),
        );
        assert_eq!(
            r.body_json()["error"]["code"],
            "LocationNotAvailableForResourceType"
        );
        let r = call(
            &sim,
            "PUT",
            &redis,
            Some(
                json!({"location": "westeurope", "properties": {"sku": {"name": "basic", "family": "c", "capacity": 1}}}),
            ),
        );
        assert_eq!(r.status, 201);
        assert_eq!(
            r.body_json()["properties"]["sku"]["name"],
            "Basic",
            "enums are canonicalised"
        );
        assert_eq!(
            r.body_json()["properties"]["hostName"],
            "cache1.redis.cache.windows.net"
        );
        let r = call(&sim, "PUT", &format!("{SUB}/resourceGroups/rg/providers/Microsoft.Cache/redis/cache1?api-version=2099-01-01"), Some(json!({})));
        assert_eq!(r.body_json()["error"]["code"], "NoRegisteredProviderFound");
    }

    #[test]
    fn global_names_are_unique_across_resource_groups() {
        let sim = sim_with(fast(), Store::new());
        group(&sim, "a");
        group(&sim, "b");
        let body =
            json!({"location": "westeurope", "kind": "StorageV2", "sku": {"name": "Standard_LRS"}});
        let r = call(&sim, "PUT", &format!("{SUB}/resourceGroups/a/providers/Microsoft.Storage/storageAccounts/acct1?api-version=2023-05-01"), Some(body.clone()));
        assert_eq!(r.status, 202);
        let r = call(&sim, "PUT", &format!("{SUB}/resourceGroups/b/providers/Microsoft.Storage/storageAccounts/acct1?api-version=2023-05-01"), Some(body));
        assert_eq!(
            (r.status, r.body_json()["error"]["code"].clone()),
            (409, json!("StorageAccountAlreadyTaken"))
        );
    }

    #[test]
    fn deleting_a_resource_group_takes_everything_in_it() {
        let sim = sim_with(fast(), Store::new());
        group(&sim, "rg");
        group(&sim, "keep");
        let vnet = vnet_with_subnet(&sim, "rg");
        let r = call(
            &sim,
            "DELETE",
            &format!("{SUB}/resourcegroups/rg?api-version=2021-04-01"),
            None,
        );
        assert_eq!(r.status, 202);
        assert!(r.header("Location").is_some() && r.header("Azure-AsyncOperation").is_none());
        later();
        assert_eq!(
            call(&sim, "GET", &format!("{vnet}?api-version=2024-05-01"), None).body_json()["error"]
                ["code"],
            "ResourceGroupNotFound"
        );
        let keys: Vec<String> = sim.lock().resources.keys().cloned().collect();
        assert_eq!(
            keys,
            [format!("{}/resourcegroups/keep", SUB.to_ascii_lowercase())]
        );
        assert!(sim.lock().private_ips.is_empty());
    }

    #[test]
    fn a_subnet_in_use_cannot_be_deleted() {
        let sim = sim_with(fast(), Store::new());
        group(&sim, "rg");
        let vnet = vnet_with_subnet(&sim, "rg");
        let nic = format!("{SUB}/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/nic?api-version=2024-05-01");
        let r = call(
            &sim,
            "PUT",
            &nic,
            Some(
                json!({"location": "westeurope", "properties": {"ipConfigurations": [{"name": "ip", "properties": {"subnet": {"id": format!("{vnet}/subnets/a")}}}]}}),
            ),
        );
        assert_eq!(
            r.body_json()["properties"]["ipConfigurations"][0]["properties"]["privateIPAddress"],
            "10.0.1.4"
        );
        later();
        let r = call(
            &sim,
            "DELETE",
            &format!("{vnet}/subnets/a?api-version=2024-05-01"),
            None,
        );
        assert_eq!(
            (r.status, r.body_json()["error"]["code"].clone()),
            (400, json!("InUseSubnetCannotBeDeleted"))
        );
        assert_eq!(call(&sim, "DELETE", &nic, None).status, 202);
        later();
        assert_eq!(
            call(
                &sim,
                "DELETE",
                &format!("{vnet}/subnets/a?api-version=2024-05-01"),
                None
            )
            .status,
            202
        );
    }

    #[test]
    fn a_missing_parent_is_404() {
        let sim = sim_with(fast(), Store::new());
        group(&sim, "rg");
        let r = call(&sim, "PUT", &format!("{SUB}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/nope/subnets/a?api-version=2024-05-01"), Some(json!({"properties": {"addressPrefix": "10.0.0.0/24"}})));
        assert_eq!(
            (r.status, r.body_json()["error"]["code"].clone()),
            (404, json!("ParentResourceNotFound"))
        );
        let r = call(&sim, "PUT", &format!("{SUB}/resourceGroups/nope/providers/Microsoft.Network/virtualNetworks/v?api-version=2024-05-01"), Some(json!({})));
        assert_eq!(
            (r.status, r.body_json()["error"]["code"].clone()),
            (404, json!("ResourceGroupNotFound"))
        );
    }

    #[test]
    fn faulted_requests_change_nothing() {
        let faults: Faults = "429=0.5,500=0.3,drop=0.2".parse().unwrap();
        let sim = sim_with(Options { faults, ..fast() }, Store::new());
        let req = Request::new(
            "PUT",
            &format!("{SUB}/resourcegroups/rg?api-version=2021-04-01"),
        )
        .with_header("Authorization", &bearer(&sim))
        .with_json(&json!({"location": "westeurope"}));
        assert!(sim.handle(&req, 0.1).is_none(), "dropped");
        let error = sim.handle(&req, 0.3).unwrap();
        assert_eq!(
            (error.status, error.body_json()["error"]["code"].clone()),
            (500, json!("InternalServerError"))
        );
        let throttled = sim.handle(&req, 0.7).unwrap();
        assert_eq!(throttled.status, 429);
        assert!(throttled.header("Retry-After").is_some());
        assert!(sim.lock().resources.is_empty());
        // The token and metadata endpoints are not faulted.
        let metadata = Request::new("GET", "/metadata/endpoints?api-version=2022-09-01");
        assert_eq!(sim.handle(&metadata, 0.1).unwrap().status, 200);
    }

    #[test]
    fn data_survives_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("sim.json");
        let options = Options {
            data: Some(data.clone()),
            ..fast()
        };
        let first = sim_with(options.clone(), Store::load(&data).unwrap());
        group(&first, "rg");
        let token = bearer(&first);
        drop(first);
        let second = sim_with(options, Store::load(&data).unwrap());
        let req = Request::new(
            "GET",
            &format!("{SUB}/resourcegroups/rg?api-version=2021-04-01"),
        )
        .with_header("Authorization", &token);
        let r = second.handle(&req, 0.99).unwrap();
        assert_eq!(
            r.status,
            200,
            "the group and the token outlive the process: {:?}",
            r.body_json()
        );
        assert_eq!(
            r.body_json()["id"],
            format!("/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/rg")
        );
    }

    #[test]
    fn metadata_names_the_endpoints() {
        let sim = sim_with(fast(), Store::new());
        let doc = sim
            .handle(
                &Request::new("GET", "/metadata/endpoints?api-version=2022-09-01"),
                0.0,
            )
            .unwrap()
            .body_json();
        assert_eq!(doc["resourceManager"], "http://sim.test/");
        assert_eq!(doc["authentication"]["loginEndpoint"], "http://sim.test");
        assert!(doc["authentication"]["audiences"]
            .as_array()
            .unwrap()
            .contains(&json!("https://management.azure.com/")));
        let old = sim
            .handle(
                &Request::new("GET", "/metadata/endpoints?api-version=2019-05-01"),
                0.0,
            )
            .unwrap()
            .body_json();
        assert!(old.is_array());
    }
}
