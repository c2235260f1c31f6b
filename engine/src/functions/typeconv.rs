//! Built-in functions: typeconv family.

use super::Registry;

pub(super) fn register(_r: &mut Registry) {}
