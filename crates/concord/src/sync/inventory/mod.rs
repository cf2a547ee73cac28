//! Inventory (Cin7 → Oro): what Oro may sell, in every unit, never more than Cin7 can allocate.

pub mod book;
pub mod explained;
pub mod formula;
pub mod freshness;
pub mod hints;
pub mod levels;
pub mod lower;
pub mod rows;
pub mod sync;
