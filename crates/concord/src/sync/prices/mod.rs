//! Price books (Oro → Cin7): each mapped Oro price list mirrored into its Cin7 price tier.

pub mod freshness;
pub mod mapping;
pub mod push;
