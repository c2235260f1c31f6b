//! Azure's public regions (name and display name), for location checks and
//! `GET /subscriptions/{id}/locations`.

pub(crate) const REGIONS: &[(&str, &str)] = &[
    ("eastus", "East US"),
    ("eastus2", "East US 2"),
    ("southcentralus", "South Central US"),
    ("westus2", "West US 2"),
    ("westus3", "West US 3"),
    ("australiaeast", "Australia East"),
    ("southeastasia", "Southeast Asia"),
    ("northeurope", "North Europe"),
    ("swedencentral", "Sweden Central"),
    ("uksouth", "UK South"),
    ("westeurope", "West Europe"),
    ("centralus", "Central US"),
    ("southafricanorth", "South Africa North"),
    ("centralindia", "Central India"),
    ("eastasia", "East Asia"),
    ("japaneast", "Japan East"),
    ("koreacentral", "Korea Central"),
    ("canadacentral", "Canada Central"),
    ("francecentral", "France Central"),
    ("germanywestcentral", "Germany West Central"),
    ("italynorth", "Italy North"),
    ("norwayeast", "Norway East"),
    ("polandcentral", "Poland Central"),
    ("spaincentral", "Spain Central"),
    ("switzerlandnorth", "Switzerland North"),
    ("mexicocentral", "Mexico Central"),
    ("uaenorth", "UAE North"),
    ("brazilsouth", "Brazil South"),
    ("israelcentral", "Israel Central"),
    ("qatarcentral", "Qatar Central"),
    ("northcentralus", "North Central US"),
    ("westus", "West US"),
    ("westcentralus", "West Central US"),
    ("australiasoutheast", "Australia Southeast"),
    ("japanwest", "Japan West"),
    ("koreasouth", "Korea South"),
    ("southindia", "South India"),
    ("westindia", "West India"),
    ("canadaeast", "Canada East"),
    ("francesouth", "France South"),
    ("germanynorth", "Germany North"),
    ("norwaywest", "Norway West"),
    ("switzerlandwest", "Switzerland West"),
    ("ukwest", "UK West"),
    ("uaecentral", "UAE Central"),
    ("brazilsoutheast", "Brazil Southeast"),
];

/// The region's name for a location as written by a user (`West Europe` → `westeurope`),
/// if Azure has it.
pub(crate) fn normalize(location: &str) -> Option<&'static str> {
    let wanted: String = location
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    REGIONS
        .iter()
        .find(|(name, _)| *name == wanted)
        .map(|(name, _)| *name)
}

#[cfg(test)]
mod tests {
    #[test]
    fn display_names_normalize() {
        assert_eq!(super::normalize("West Europe"), Some("westeurope"));
        assert_eq!(super::normalize("westeurope"), Some("westeurope"));
        assert_eq!(super::normalize("Atlantis"), None);
    }
}
