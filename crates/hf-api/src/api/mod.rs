//! The API methods of [`HfApi`](crate::HfApi), one file per area.

pub mod users;
