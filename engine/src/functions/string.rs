//! Built-in functions: string family.

use super::Registry;

pub(super) fn register(_r: &mut Registry) {}
