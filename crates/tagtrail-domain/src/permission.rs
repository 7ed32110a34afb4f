//! Employee permissions, named as Metrc names them.
//!
//! A closed set, so a misspelt permission is a compile error rather than an endpoint nobody can
//! use. Stored and shown by Metrc's name (`"Manage Items"`), which is also how employments
//! serialize, so records written before this type existed read back unchanged.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! permissions {
    ($($variant:ident => $name:literal,)*) => {
        /// Every permission an employee can hold at a facility. An action or read names the
        /// permissions that allow it (any one suffices).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Permission {
            $($variant,)*
        }

        impl Permission {
            pub const ALL: &'static [Permission] = &[$(Permission::$variant,)*];

            /// Metrc's name of the permission.
            pub fn name(self) -> &'static str {
                match self {
                    $(Permission::$variant => $name,)*
                }
            }
        }
    };
}

permissions! {
    ViewEmployees => "View Employees",
    ManageEmployees => "Manage Employees",
    ManageItems => "Manage Items",
    ManageStrains => "Manage Strains",
    ManageLocations => "Manage Locations",
    ManageTags => "Manage Tags",
    ViewPackages => "View Packages",
    CreateSubmitDiscontinuePackages => "Create/Submit/Discontinue Packages",
    ManagePackagesInventory => "Manage Packages Inventory",
    ManagePackageNotes => "Manage Package Notes",
    ViewTransfers => "View Transfers",
    ManageTransfers => "Manage Transfers",
    ViewTransferTemplates => "View Transfer Templates",
    ManageTransferTemplates => "Manage Transfer Templates",
    Transporters => "Transporters",
    ManageTransporters => "Manage Transporters",
    ViewJournal => "View Journal",
    ViewHarvests => "View Harvests",
    ManageHarvests => "Manage Harvests",
    FinishDiscontinueHarvests => "Finish/Discontinue Harvests",
    DiscontinueHarvestWaste => "Discontinue Harvest Waste",
    ManicureHarvestVegFlowerPlants => "Manicure/Harvest Veg/Flower Plants",
    ViewPackageSourceHarvests => "View Package Source Harvests",
    ViewImmaturePlants => "View Immature Plants",
    ManageImmaturePlantsInventory => "Manage Immature Plants Inventory",
    DestroyImmaturePlants => "Destroy Immature Plants",
    ViewVegFlowerPlants => "View Veg/Flower Plants",
    ManageVegFlowerPlantsInventory => "Manage Veg/Flower Plants Inventory",
    DestroyVegFlowerPlants => "Destroy Veg/Flower Plants",
    ViewMotherPlants => "View Mother Plants",
    ViewPlantsWaste => "View Plants Waste",
    ManagePlantsWaste => "Manage Plants Waste",
    ManageAdditives => "Manage Additives",
    ViewPlantsAdditives => "View Plants Additives",
    ManagePlantsAdditives => "Manage Plants Additives",
    ViewSales => "View Sales",
    ManageSales => "Manage Sales",
    ViewSalesDelivery => "View Sales Delivery",
    ManageSalesDelivery => "Manage Sales Delivery",
    ManageSalesDeliveryHub => "Manage Sales Delivery Hub",
    ViewRetailerDelivery => "View Retailer Delivery",
    ManageRetailerDelivery => "Manage Retailer Delivery",
}

impl Permission {
    /// Finds a permission by name without regard to case or surrounding space.
    pub fn parse(name: &str) -> Option<Permission> {
        Self::ALL
            .iter()
            .copied()
            .find(|p| p.name().eq_ignore_ascii_case(name.trim()))
    }

    /// Metrc answers `GET /employees/v2/permissions` with lower-case names.
    pub fn wire_name(self) -> String {
        self.name().to_ascii_lowercase()
    }
}

impl std::fmt::Display for Permission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Permission {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Permission {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Permission::parse(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown permission {name:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_parse_without_case() {
        for p in Permission::ALL {
            assert_eq!(Permission::parse(&p.name().to_uppercase()), Some(*p));
            let json = serde_json::to_string(p).unwrap();
            assert_eq!(serde_json::from_str::<Permission>(&json).unwrap(), *p);
        }
        assert_eq!(
            Permission::parse(" manage items "),
            Some(Permission::ManageItems)
        );
        assert_eq!(Permission::parse("Manage Everything"), None);
    }
}
