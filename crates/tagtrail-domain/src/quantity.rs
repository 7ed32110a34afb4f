//! Quantities and units of measure. Decimal arithmetic only: a float never touches a quantity.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Whether a unit counts, weighs or measures volume. An item's unit, and every quantity of a
/// package of that item, must be of the item category's quantity type (rule 29).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum QuantityType {
    CountBased,
    WeightBased,
    VolumeBased,
}

impl QuantityType {
    pub fn as_str(self) -> &'static str {
        match self {
            QuantityType::CountBased => "CountBased",
            QuantityType::WeightBased => "WeightBased",
            QuantityType::VolumeBased => "VolumeBased",
        }
    }
}

/// A unit Metrc knows, with its factor to the base unit of its quantity type
/// (grams for weight, millilitres for volume, one for count).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnitOfMeasure {
    pub name: &'static str,
    pub abbreviation: &'static str,
    pub quantity_type: QuantityType,
    /// Base units per one of this unit, as a decimal literal.
    pub to_base: &'static str,
    pub active: bool,
}

/// California's units. `Tonns` is the inactive example Metrc itself shows.
pub const UNITS: &[UnitOfMeasure] = &[
    UnitOfMeasure {
        name: "Each",
        abbreviation: "ea",
        quantity_type: QuantityType::CountBased,
        to_base: "1",
        active: true,
    },
    UnitOfMeasure {
        name: "Grams",
        abbreviation: "g",
        quantity_type: QuantityType::WeightBased,
        to_base: "1",
        active: true,
    },
    UnitOfMeasure {
        name: "Kilograms",
        abbreviation: "kg",
        quantity_type: QuantityType::WeightBased,
        to_base: "1000",
        active: true,
    },
    UnitOfMeasure {
        name: "Milligrams",
        abbreviation: "mg",
        quantity_type: QuantityType::WeightBased,
        to_base: "0.001",
        active: true,
    },
    UnitOfMeasure {
        name: "Ounces",
        abbreviation: "oz",
        quantity_type: QuantityType::WeightBased,
        to_base: "28.349523125",
        active: true,
    },
    UnitOfMeasure {
        name: "Pounds",
        abbreviation: "lb",
        quantity_type: QuantityType::WeightBased,
        to_base: "453.59237",
        active: true,
    },
    UnitOfMeasure {
        name: "Fluid Ounces",
        abbreviation: "fl oz",
        quantity_type: QuantityType::VolumeBased,
        to_base: "29.5735295625",
        active: true,
    },
    UnitOfMeasure {
        name: "Gallons",
        abbreviation: "gal",
        quantity_type: QuantityType::VolumeBased,
        to_base: "3785.411784",
        active: true,
    },
    UnitOfMeasure {
        name: "Liters",
        abbreviation: "l",
        quantity_type: QuantityType::VolumeBased,
        to_base: "1000",
        active: true,
    },
    UnitOfMeasure {
        name: "Milliliters",
        abbreviation: "ml",
        quantity_type: QuantityType::VolumeBased,
        to_base: "1",
        active: true,
    },
    UnitOfMeasure {
        name: "Pints",
        abbreviation: "pt",
        quantity_type: QuantityType::VolumeBased,
        to_base: "473.176473",
        active: true,
    },
    UnitOfMeasure {
        name: "Quarts",
        abbreviation: "qt",
        quantity_type: QuantityType::VolumeBased,
        to_base: "946.352946",
        active: true,
    },
    UnitOfMeasure {
        name: "Tonns",
        abbreviation: "t",
        quantity_type: QuantityType::WeightBased,
        to_base: "1000000",
        active: false,
    },
];

/// Finds an active unit by name, case-insensitively (Metrc matches names without case, rule 71).
pub fn unit(name: &str) -> Option<&'static UnitOfMeasure> {
    UNITS
        .iter()
        .find(|u| u.active && u.name.eq_ignore_ascii_case(name.trim()))
}

impl UnitOfMeasure {
    fn factor(&self) -> Decimal {
        // The literals above are valid decimals; a bad one is a programming error caught by
        // the `every_factor_parses` test.
        self.to_base.parse().unwrap_or(Decimal::ONE)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuantityError {
    #[error("cannot convert {from} to {to}: {from_type} and {to_type} do not mix")]
    Incompatible {
        from: &'static str,
        to: &'static str,
        from_type: &'static str,
        to_type: &'static str,
    },
    #[error("quantity would go below zero")]
    Negative,
    #[error("quantity is too large")]
    Overflow,
}

/// Converts `amount` from one unit to another of the same quantity type (weight↔weight,
/// volume↔volume). Count never converts to anything but itself.
pub fn convert(
    amount: Decimal,
    from: &UnitOfMeasure,
    to: &UnitOfMeasure,
) -> Result<Decimal, QuantityError> {
    if from.quantity_type != to.quantity_type {
        return Err(QuantityError::Incompatible {
            from: from.name,
            to: to.name,
            from_type: from.quantity_type.as_str(),
            to_type: to.quantity_type.as_str(),
        });
    }
    if from.name == to.name {
        return Ok(amount);
    }
    amount
        .checked_mul(from.factor())
        .and_then(|base| base.checked_div(to.factor()))
        .map(|d| d.normalize())
        .ok_or(QuantityError::Overflow)
}

/// Subtracts, refusing to go below zero (rule 28).
pub fn checked_remove(have: Decimal, take: Decimal) -> Result<Decimal, QuantityError> {
    let left = have.checked_sub(take).ok_or(QuantityError::Overflow)?;
    if left.is_sign_negative() && !left.is_zero() {
        Err(QuantityError::Negative)
    } else {
        Ok(left)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_factor_parses() {
        for u in UNITS {
            assert!(u.to_base.parse::<Decimal>().is_ok(), "{}", u.name);
        }
    }

    #[test]
    fn weight_converts_exactly() {
        let g = unit("grams").unwrap();
        let kg = unit("Kilograms").unwrap();
        assert_eq!(
            convert(Decimal::new(2500, 0), g, kg).unwrap(),
            Decimal::new(25, 1)
        );
        let lb = unit("Pounds").unwrap();
        assert_eq!(
            convert(Decimal::ONE, lb, g).unwrap(),
            "453.59237".parse::<Decimal>().unwrap()
        );
    }

    /// Rule 29: the unit must fit the quantity type; weight never becomes volume or count.
    #[test]
    fn rule_29_types_do_not_mix() {
        let g = unit("Grams").unwrap();
        let ml = unit("Milliliters").unwrap();
        let ea = unit("Each").unwrap();
        assert!(convert(Decimal::ONE, g, ml).is_err());
        assert!(convert(Decimal::ONE, ea, g).is_err());
    }

    /// Rule 28: a quantity never goes below zero.
    #[test]
    fn rule_28_never_below_zero() {
        assert_eq!(
            checked_remove(Decimal::ONE, Decimal::ONE).unwrap(),
            Decimal::ZERO
        );
        assert_eq!(
            checked_remove(Decimal::ONE, Decimal::TWO),
            Err(QuantityError::Negative)
        );
    }

    proptest! {
        #[test]
        fn round_trip_within_a_type(n in 0u32..10_000_000, i in 0usize..UNITS.len(), j in 0usize..UNITS.len()) {
            let (a, b) = (&UNITS[i], &UNITS[j]);
            let x = Decimal::new(n as i64, 3);
            match convert(x, a, b) {
                Ok(y) => {
                    let back = convert(y, b, a).unwrap();
                    prop_assert!((back - x).abs() < Decimal::new(1, 9));
                }
                Err(_) => prop_assert_ne!(a.quantity_type, b.quantity_type),
            }
        }
    }
}
