//! The enums of the seed data model, one Rust enum per PostgreSQL enum type.
//!
//! Values are spelled as in the database (`SCREAMING_SNAKE_CASE`) on the wire too, so a value read
//! from a JSON column, a CSV or a server function means the same thing everywhere.

use serde::{Deserialize, Serialize};

/// Declares an enum mirroring a PostgreSQL enum type, with its database and serde spellings and the
/// full list of its values (used by the schema test and by select boxes).
macro_rules! pg_enum {
    ($(#[$meta:meta])* $name:ident = $pg:literal { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "sqlx", derive(sqlx::Type))]
        #[cfg_attr(feature = "sqlx", sqlx(type_name = $pg))]
        pub enum $name {
            $(
                #[serde(rename = $text)]
                #[cfg_attr(feature = "sqlx", sqlx(rename = $text))]
                $variant,
            )+
        }

        impl $name {
            /// The PostgreSQL type this enum maps to.
            pub const PG_TYPE: &'static str = $pg;
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value as stored in PostgreSQL.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = UnknownValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(UnknownValue { type_name: $pg, value: s.to_owned() }),
                }
            }
        }
    };
}

/// A string that names no value of the enum it was parsed as.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not a value of {type_name}")]
pub struct UnknownValue {
    pub type_name: &'static str,
    pub value: String,
}

pg_enum!(
    /// What a user may do: see PRODUCT.md "Who uses it".
    UserRole = "user_role" { Admin => "ADMIN", Director => "DIRECTOR", Manager => "MANAGER", Agent => "AGENT" }
);
pg_enum!(UserStatus = "user_status" { Active => "ACTIVE", Inactive => "INACTIVE", Invited => "INVITED" });
pg_enum!(UserArea = "user_area" { Sales => "SALES", Marketing => "MARKETING", CxCs => "CX_CS", Gtm => "GTM" });
pg_enum!(PlaybookFunction = "playbook_function" { PreSales => "PRE_SALES", Sales => "SALES", Cs => "CS" });
pg_enum!(PlaybookStatus = "playbook_status" { Active => "ACTIVE", Inactive => "INACTIVE", Draft => "DRAFT" });
pg_enum!(IntegrationType = "integration_type" {
    Crm => "CRM", Whatsapp => "WHATSAPP", Email => "EMAIL", Phone => "PHONE", Video => "VIDEO", Ai => "AI"
});
pg_enum!(IntegrationProvider = "integration_provider" {
    Zoho => "ZOHO", Hubspot => "HUBSPOT", Salesforce => "SALESFORCE", Pipedrive => "PIPEDRIVE",
    CustomApi => "CUSTOM_API", WhatsappOfficial => "WHATSAPP_OFFICIAL",
    WhatsappUnofficial => "WHATSAPP_UNOFFICIAL", Twilio => "TWILIO", Smtp => "SMTP",
    GoogleMeet => "GOOGLE_MEET", Zoom => "ZOOM", Openai => "OPENAI", Anthropic => "ANTHROPIC",
    Gemini => "GEMINI",
});
pg_enum!(IntegrationStatus = "integration_status" {
    Active => "ACTIVE", Inactive => "INACTIVE", Error => "ERROR", Pending => "PENDING"
});
pg_enum!(ConversationChannel = "conversation_channel" {
    Call => "CALL", Whatsapp => "WHATSAPP", Email => "EMAIL", Video => "VIDEO"
});
pg_enum!(ConversationSentiment = "conversation_sentiment" {
    Positive => "POSITIVE", Neutral => "NEUTRAL", Negative => "NEGATIVE"
});
pg_enum!(BotType = "bot_type" { Sdr => "SDR", Closer => "CLOSER", FollowUp => "FOLLOW_UP", Cs => "CS" });
pg_enum!(BotStatus = "bot_status" { Active => "ACTIVE", Inactive => "INACTIVE" });
pg_enum!(BotLogStatus = "bot_log_status" { Success => "SUCCESS", Failed => "FAILED", Pending => "PENDING" });
pg_enum!(AlertType = "alert_type" {
    ImportFailed => "IMPORT_FAILED", BotError => "BOT_ERROR", AiRateLimit => "AI_RATE_LIMIT",
    LowPlaybookAdherence => "LOW_PLAYBOOK_ADHERENCE", DealStuck => "DEAL_STUCK",
    ConversionDrop => "CONVERSION_DROP", TargetRisk => "TARGET_RISK",
});
pg_enum!(AlertPriority = "alert_priority" { Low => "LOW", Medium => "MEDIUM", High => "HIGH", Critical => "CRITICAL" });
pg_enum!(AlertStatus = "alert_status" { Unread => "UNREAD", Read => "READ", Acknowledged => "ACKNOWLEDGED" });
pg_enum!(ImportStatus = "import_status" {
    Success => "SUCCESS", Failed => "FAILED", Partial => "PARTIAL", Running => "RUNNING"
});
pg_enum!(OkrArea = "okr_area" {
    Revenue => "REVENUE", Sales => "SALES", Marketing => "MARKETING", Presales => "PRESALES", Cs => "CS"
});
pg_enum!(OkrStatus = "okr_status" {
    Draft => "DRAFT", Active => "ACTIVE", Achieved => "ACHIEVED", Missed => "MISSED", Cancelled => "CANCELLED"
});
pg_enum!(KeyResultStatus = "key_result_status" {
    OnTrack => "ON_TRACK", AtRisk => "AT_RISK", Behind => "BEHIND", Achieved => "ACHIEVED"
});
pg_enum!(KeyResultUnit = "key_result_unit" {
    Currency => "CURRENCY", Percentage => "PERCENTAGE", Number => "NUMBER", Hours => "HOURS", Days => "DAYS"
});
pg_enum!(
    /// Who owns an objective (PRODUCT.md addition).
    GoalTargetType = "goal_target_type" { User => "USER", Squad => "SQUAD" }
);
pg_enum!(
    /// Who acted, for an audit row: a person, staff inside a tenant, a job, or an integration.
    AuditActor = "audit_actor" { User => "USER", Staff => "STAFF", System => "SYSTEM", Integration => "INTEGRATION" }
);
pg_enum!(
    /// Whether a pipeline stage is open, or closes a deal as won or lost.
    StageKind = "stage_kind" { Open => "OPEN", Won => "WON", Lost => "LOST" }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_round_trips_through_its_database_spelling() {
        for role in UserRole::ALL {
            assert_eq!(role.as_str().parse::<UserRole>(), Ok(*role));
        }
        for kind in AlertType::ALL {
            assert_eq!(kind.as_str().parse::<AlertType>(), Ok(*kind));
        }
    }

    #[test]
    fn an_unknown_spelling_is_refused_with_the_type_named() {
        let err = "OWNER".parse::<UserRole>().unwrap_err();
        assert_eq!(err.type_name, "user_role");
        assert_eq!(err.to_string(), "\"OWNER\" is not a value of user_role");
    }

    #[test]
    fn serde_uses_the_database_spelling() {
        assert_eq!(serde_json::to_string(&UserArea::CxCs).unwrap(), "\"CX_CS\"");
        let parsed: BotType = serde_json::from_str("\"FOLLOW_UP\"").unwrap();
        assert_eq!(parsed, BotType::FollowUp);
    }
}
