//! `terrane workspace show` (the other workspace commands come with state management).

use super::{current_workspace, CommandResult, Failure};

pub fn run(args: &[String]) -> CommandResult {
    match args.first().map(String::as_str) {
        Some("show") => {
            println!("{}", current_workspace());
            Ok(0)
        }
        _ => Err(Failure::Message(
            "Usage: terrane workspace show (new, select, list and delete are not available yet)"
                .into(),
        )),
    }
}
