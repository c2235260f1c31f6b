//! Terraform state, format version 4.
