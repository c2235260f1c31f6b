//! The azurerm and azapi providers against the Azure simulator, end to end: every resource
//! type created, read back, planned clean, updated in place, checked for force-new
//! replacement, imported, deleted and found gone; faults injected; the in-process simulator.

mod aks;
mod azapi;
mod data_stores;
mod faults;
mod in_process;
mod network;
mod resource_group;
mod support;
mod vpn_dns;
