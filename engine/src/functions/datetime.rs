//! Built-in functions: datetime family.

use super::Registry;

pub(super) fn register(_r: &mut Registry) {}
