//! ARM's long-running-operation contract (Azure/azure-resource-manager-rpc, async-api
//! reference): after a PUT, PATCH, POST or DELETE is accepted, follow `Azure-AsyncOperation`
//! (an operation resource whose `status` ends `Succeeded`, `Failed` or `Canceled`) or else
//! `Location` (202 while running, then the final answer), waiting as `Retry-After` says; then
//! a written resource is read until its `provisioningState` is terminal.

use super::error::ArmError;
use super::retry::retry_after;
use super::transport::Answer;
use super::ArmClient;
use azure_core::http::{Method, Url};
use serde_json::Value as Json;
use std::time::Duration;
use tokio::time::Instant;

/// How often operations are polled when the service does not say.
#[derive(Clone, Debug, PartialEq)]
pub struct PollPolicy {
    /// The wait between polls when there is no `Retry-After`.
    pub default_interval: Duration,
    /// The longest wait between polls, whatever `Retry-After` says.
    pub max_interval: Duration,
}

impl Default for PollPolicy {
    fn default() -> PollPolicy {
        PollPolicy {
            default_interval: Duration::from_secs(5),
            max_interval: Duration::from_secs(60),
        }
    }
}

/// The provisioning states after which nothing more happens.
pub fn is_terminal_state(state: &str) -> bool {
    ["succeeded", "failed", "canceled", "cancelled"]
        .iter()
        .any(|s| state.eq_ignore_ascii_case(s))
}

fn is_failed_state(state: &str) -> bool {
    !state.eq_ignore_ascii_case("succeeded") && is_terminal_state(state)
}

/// The `properties.provisioningState` of a resource body.
pub fn provisioning_state(body: &Json) -> Option<&str> {
    body.pointer("/properties/provisioningState")
        .and_then(Json::as_str)
}

impl ArmClient {
    fn poll_delay(&self, answer: &Answer) -> Duration {
        retry_after(&answer.headers)
            .unwrap_or(self.poll.default_interval)
            .min(self.poll.max_interval)
    }

    async fn sleep_until_next_poll(
        &self,
        delay: Duration,
        deadline: Instant,
    ) -> Result<(), ArmError> {
        if Instant::now() + delay > deadline {
            return Err(ArmError::Timeout(
                "the long-running operation did not finish in time".into(),
            ));
        }
        tokio::time::sleep(delay).await;
        Ok(())
    }

    /// Follows the operation an accepted request started, until it ends. Returns the final
    /// answer's body when the operation ends with one (a POST's result via `Location`). A PUT
    /// or PATCH answered without operation headers is followed by its caller through the
    /// resource's own provisioning state ([`ArmClient::wait_until_provisioned`]).
    pub(crate) async fn wait_for_operation(
        &self,
        method: Method,
        initial: &Answer,
        deadline: Instant,
    ) -> Result<Option<Json>, ArmError> {
        let location = initial.header("location").map(str::to_string);
        if let Some(operation) = initial.header("azure-asyncoperation") {
            let operation = self.operation_url(operation)?;
            let mut delay = self.poll_delay(initial);
            loop {
                self.sleep_until_next_poll(delay, deadline).await?;
                let answer = self.request(Method::Get, &operation, None).await?;
                if !answer.is_success() {
                    return Err(answer.error());
                }
                let body = answer.json()?;
                let status = body
                    .get("status")
                    .and_then(Json::as_str)
                    .unwrap_or("InProgress");
                if status.eq_ignore_ascii_case("succeeded") {
                    break;
                }
                if is_failed_state(status) {
                    return Err(operation_failure(status, &body));
                }
                delay = self.poll_delay(&answer);
            }
            if method == Method::Post {
                if let Some(location) = location {
                    let url = self.operation_url(&location)?;
                    let answer = self.request(Method::Get, &url, None).await?;
                    if answer.is_success() {
                        return answer.json().map(Some);
                    }
                    return Err(answer.error());
                }
            }
            return Ok(None);
        }
        if let (Some(location), 201 | 202) = (location, initial.status) {
            let location = self.operation_url(&location)?;
            let mut delay = self.poll_delay(initial);
            loop {
                self.sleep_until_next_poll(delay, deadline).await?;
                let answer = self.request(Method::Get, &location, None).await?;
                match answer.status {
                    202 => delay = self.poll_delay(&answer),
                    404 if method == Method::Delete => return Ok(None),
                    _ if answer.is_success() => {
                        return Ok(Some(answer.json()?).filter(|b| !b.is_null()))
                    }
                    _ => return Err(answer.error()),
                }
            }
        }
        Ok(None)
    }

    /// Polls a resource until its provisioning state is terminal (as azurerm waits for
    /// virtual networks and subnets that stay `Updating` after their operation ended), and
    /// returns its last body; `None` when it does not exist.
    pub(crate) async fn wait_until_provisioned(
        &self,
        resource_url: &Url,
        deadline: Instant,
    ) -> Result<Option<Json>, ArmError> {
        let mut delay = Duration::ZERO;
        loop {
            self.sleep_until_next_poll(delay, deadline).await?;
            let answer = self.request(Method::Get, resource_url, None).await?;
            if answer.status == 404 {
                return Ok(None);
            }
            if !answer.is_success() {
                return Err(answer.error());
            }
            let body = answer.json()?;
            match provisioning_state(&body) {
                Some(state) if is_failed_state(state) => {
                    return Err(ArmError::OperationFailed {
                        status: state.to_string(),
                        code: "ProvisioningFailed".into(),
                        message: format!("the resource's provisioning state is {state:?}"),
                    })
                }
                Some(state) if !is_terminal_state(state) => delay = self.poll_delay(&answer),
                _ => return Ok(Some(body)),
            }
        }
    }

    /// An operation URL from a header: absolute, on an accepted scheme.
    fn operation_url(&self, text: &str) -> Result<Url, ArmError> {
        let url = self.endpoint.join(text).map_err(|e| {
            ArmError::InvalidResponse(format!("invalid operation URL {text:?}: {e}"))
        })?;
        super::cloud::check_scheme(&url).map_err(ArmError::InvalidResponse)?;
        Ok(url)
    }
}

fn operation_failure(status: &str, body: &Json) -> ArmError {
    let (code, message) = body
        .get("error")
        .and_then(super::error::envelope)
        .unwrap_or_else(|| ("OperationFailed".into(), String::new()));
    ArmError::OperationFailed {
        status: status.to_string(),
        code,
        message,
    }
}
