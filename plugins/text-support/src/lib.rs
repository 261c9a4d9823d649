//! Text helpers shared by the bundled plugins (`accession`, `regional-threat`): what both need to
//! run their regular expressions fast on real communiqués, kept in one place.

mod shadow;
mod spans;

pub use shadow::{Shadow, StandIns, words};
pub use spans::Spans;
