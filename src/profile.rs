//! What the widget remembers about the diner on this phone between orders,
//! so a diner who picks up does not type their name for every order.

use serde::{Deserialize, Serialize};
use wendan_protocol::OrderRequest;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// The name given with the last pickup order.
    #[serde(default)]
    pub pickup_name: String,
}

impl Profile {
    /// The profile to keep once `request` is placed: `None` when the order
    /// has no pickup name (dine-in), which leaves the remembered one alone.
    pub fn remembered_from(request: &OrderRequest) -> Option<Profile> {
        let name = request.pickup_name.as_deref()?.trim();
        (!name.is_empty()).then(|| Profile {
            pickup_name: name.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wendan_protocol::fixtures::dine_in;

    fn pickup(name: Option<&str>) -> OrderRequest {
        let now = time::OffsetDateTime::from_unix_timestamp(1_795_000_000).expect("time");
        let mut request = dine_in(Vec::new(), now, 0);
        request.table = None;
        request.pickup_name = name.map(str::to_owned);
        request
    }

    #[test]
    fn a_pickup_name_is_remembered_trimmed() {
        let remembered = Profile::remembered_from(&pickup(Some("  Li Wei ")));
        assert_eq!(remembered.map(|p| p.pickup_name), Some("Li Wei".into()));
    }

    #[test]
    fn an_order_without_a_name_forgets_nothing() {
        assert_eq!(Profile::remembered_from(&pickup(None)), None);
        assert_eq!(Profile::remembered_from(&pickup(Some("  "))), None);
    }
}
