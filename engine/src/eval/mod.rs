//! Evaluation: one expression ([`expr`]) and a whole module tree ([`module`]).

pub mod expr;
pub mod module;
pub mod references;
