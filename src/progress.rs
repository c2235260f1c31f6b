//! Lines that show an apply's progress, as Terraform prints them: one when a change starts,
//! "Still creating..." every ten seconds while it runs, one when it completes.

use std::time::Duration;
use terrane_engine::plan::walk::Event;
use terrane_engine::plan::Action;

/// A Go-style duration rounded down to seconds (`9s`, `1m5s`, `2h0m0s`), as Terraform
/// shows elapsed time.
pub fn duration(d: Duration) -> String {
    let s = d.as_secs();
    if s < 60 {
        format!("{s}s")
    } else if s < 3600 {
        format!("{}m{}s", s / 60, s % 60)
    } else {
        format!("{}h{}m{}s", s / 3600, (s % 3600) / 60, s % 60)
    }
}

/// The progress line of an event.
pub fn line(event: &Event) -> String {
    let id = |id: &Option<String>| {
        id.as_ref()
            .map(|i| format!(" [id={i}]"))
            .unwrap_or_default()
    };
    match event {
        Event::ApplyStart {
            address,
            action,
            id: object,
        } => match action {
            Action::Create => format!("{address}: Creating..."),
            Action::Update => format!("{address}: Modifying...{}", id(object)),
            Action::Delete => format!("{address}: Destroying...{}", id(object)),
            _ => format!("{address}: Reading..."),
        },
        Event::ApplyProgress {
            address,
            action,
            elapsed,
        } => {
            let verb = match action {
                Action::Create => "creating",
                Action::Update => "modifying",
                Action::Delete => "destroying",
                _ => "reading",
            };
            format!(
                "{address}: Still {verb}... [{} elapsed]",
                duration(*elapsed)
            )
        }
        Event::ApplyComplete {
            address,
            action,
            id: object,
            elapsed,
        } => {
            let after = duration(*elapsed);
            match action {
                Action::Create => {
                    format!("{address}: Creation complete after {after}{}", id(object))
                }
                Action::Update => format!(
                    "{address}: Modifications complete after {after}{}",
                    id(object)
                ),
                Action::Delete => format!("{address}: Destruction complete after {after}"),
                _ => format!("{address}: Read complete after {after}{}", id(object)),
            }
        }
        Event::ApplyErrored { address, .. } => format!("{address}: Failed"),
        Event::RefreshComplete {
            address,
            id: object,
        } => {
            format!("{address}: Refreshing state...{}", id(object))
        }
    }
}

/// Prints progress lines to standard output (bold on a terminal, as Terraform does). A
/// failed change shows nothing here: its error comes with the diagnostics.
pub fn human(color: bool) -> impl Fn(&Event) {
    move |event| {
        if matches!(event, Event::ApplyErrored { .. }) {
            return;
        }
        let text = line(event);
        if color {
            println!("\x1b[0m\x1b[1m{text}\x1b[0m");
        } else {
            println!("{text}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_read_like_terraform() {
        let e = Event::ApplyComplete {
            address: "null_resource.a".into(),
            action: Action::Create,
            id: Some("42".into()),
            elapsed: Duration::from_millis(1500),
        };
        assert_eq!(
            line(&e),
            "null_resource.a: Creation complete after 1s [id=42]"
        );
        let e = Event::ApplyProgress {
            address: "x.y".into(),
            action: Action::Delete,
            elapsed: Duration::from_secs(70),
        };
        assert_eq!(line(&e), "x.y: Still destroying... [1m10s elapsed]");
        assert_eq!(duration(Duration::from_secs(3661)), "1h1m1s");
    }
}
