//! The opaque position of a sync run, which the caller stores between pages and between runs.
//!
//! Inside, a cursor is JSON naming its provider and object and carrying that provider's paging
//! state (an `after`, a `page_token`, a `nextRecordsUrl`…) together with the `since` of the query
//! it continues: some providers bind their tokens to the exact query, so a resumed run must repeat
//! it. Callers treat it as text; only the connector that made it reads it.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::{CrmError, Object, Provider};

/// Where the next page starts. Store it as text ([`Cursor::as_str`]) and give it back with
/// [`Cursor::from_stored`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Cursor(String);

#[derive(Serialize, Deserialize)]
struct Envelope<S> {
    provider: Provider,
    object: Object,
    state: S,
}

impl Cursor {
    /// A cursor read back from storage.
    pub fn from_stored(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub(crate) fn encode<S: Serialize>(
        provider: Provider,
        object: Object,
        state: S,
    ) -> Result<Self, CrmError> {
        serde_json::to_string(&Envelope {
            provider,
            object,
            state,
        })
        .map(Cursor)
        .map_err(|e| CrmError::invalid_response(provider, format!("cursor not encodable: {e}")))
    }

    /// This cursor's state, when it was made by `provider` for `object`.
    pub(crate) fn decode<S: DeserializeOwned>(
        &self,
        provider: Provider,
        object: Object,
    ) -> Result<S, CrmError> {
        let invalid = || CrmError::InvalidCursor { provider, object };
        let envelope: Envelope<S> = serde_json::from_str(&self.0).map_err(|_| invalid())?;
        if envelope.provider != provider || envelope.object != object {
            return Err(invalid());
        }
        Ok(envelope.state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct State {
        after: String,
    }

    #[test]
    fn a_cursor_opens_only_for_its_own_provider_and_object() {
        let cursor = Cursor::encode(
            Provider::HubSpot,
            Object::Deals,
            State {
                after: "200".into(),
            },
        )
        .expect("encodes");
        let stored = Cursor::from_stored(cursor.as_str());
        assert_eq!(
            stored.decode::<State>(Provider::HubSpot, Object::Deals),
            Ok(State {
                after: "200".into()
            })
        );
        assert_eq!(
            stored.decode::<State>(Provider::HubSpot, Object::Leads),
            Err(CrmError::InvalidCursor {
                provider: Provider::HubSpot,
                object: Object::Leads
            })
        );
        assert!(
            stored
                .decode::<State>(Provider::Zoho, Object::Deals)
                .is_err()
        );
        assert!(
            Cursor::from_stored("garbage")
                .decode::<State>(Provider::HubSpot, Object::Deals)
                .is_err()
        );
    }
}
