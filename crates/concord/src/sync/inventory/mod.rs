//! Inventory (Cin7 → Oro): what Oro may sell, in every unit, never more than Cin7 can allocate.

pub mod apply;
pub mod book;
pub mod formula;
pub mod freshness;
pub mod kept;
pub mod lower;
pub mod sync;
pub mod write;
