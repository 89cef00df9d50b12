//! Conversation rows: which agent talked to which lead, when, on which channel, and what was said.
//!
//! Most conversations happen around deals (so a deal's page shows its calls), the rest with other
//! leads. The agent is the one who owns the lead or its deal, so an agent's own view is full and a
//! director's shows everyone. Analysis columns are left empty: the analyser fills them later, and
//! the demo should show that step happening rather than pretend it already did.

use chrono::Duration;
use domain::ConversationChannel;
use rand::Rng;

use crate::calendar::{DemoCalendar, cuid};
use crate::offering::Offering;
use crate::people::Seller;
use crate::pipeline::LeadRef;
use crate::rows::ConversationRow;
use crate::transcripts::{DialogueStyle, Participants, write_conversation};
use crate::vocabulary::pick;

const NOTES: &[&str] = &[
    "Cliente pediu proposta formal por e-mail.",
    "Decisor não participou; remarcar com ele.",
    "Muito interessado, mas orçamento só no próximo trimestre.",
    "Comparando com concorrente; enviar estudo de caso.",
    "Follow-up combinado para a próxima semana.",
    "Ligação caiu duas vezes, retomar pelo WhatsApp.",
];

pub struct ConversationGenerator<'a> {
    pub calendar: DemoCalendar,
    pub sellers: &'a [Seller],
    pub offering: &'a Offering,
    pub leads: &'a [LeadRef],
    /// Lead indexes that have deals, with the deal owner (a seller index) when there is one.
    pub deal_leads: &'a [(u32, Option<u32>)],
    /// The active playbook, which calls and video meetings are scored against.
    pub playbook_id: Option<&'a str>,
    pub brief: bool,
}

impl ConversationGenerator<'_> {
    pub fn next_conversation<R: Rng>(&self, rng: &mut R) -> ConversationRow {
        let (lead_index, deal_owner) = if !self.deal_leads.is_empty() && rng.random_bool(0.65) {
            let (lead, owner) = self.deal_leads[rng.random_range(0..self.deal_leads.len())];
            (lead as usize, owner)
        } else {
            (rng.random_range(0..self.leads.len()), None)
        };
        let lead = &self.leads[lead_index];
        let seller_index = deal_owner.or(lead.owner).map_or_else(
            || rng.random_range(0..self.sellers.len()),
            |owner| owner as usize,
        );
        let seller = &self.sellers[seller_index];
        let channel = match rng.random_range(0..100) {
            0..=39 => ConversationChannel::Call,
            40..=69 => ConversationChannel::Whatsapp,
            70..=84 => ConversationChannel::Email,
            _ => ConversationChannel::Video,
        };
        let start = self.calendar.office_hours_within(rng, 0..120);
        let people = Participants {
            seller_name: &seller.name,
            seller_email: &seller.email,
            client_name: &lead.name,
            client_email: &lead.email,
            client_company: &lead.company,
        };
        // Each agent has good and bad days around their skill.
        let skill = (seller.skill + rng.random_range(-0.15..0.15)).clamp(0.0, 1.0);
        let transcript = write_conversation(
            rng,
            channel,
            self.offering,
            &people,
            start,
            DialogueStyle {
                skill,
                brief: self.brief,
            },
        );
        let conversation_date = self.calendar.local_to_utc(start);
        let spoken = matches!(
            channel,
            ConversationChannel::Call | ConversationChannel::Video
        );
        ConversationRow {
            id: cuid(rng),
            channel,
            duration_seconds: transcript.duration_seconds,
            user_id: seller.user_id.clone(),
            lead_id: lead.id.clone(),
            transcript: transcript.text,
            playbook_id: if spoken {
                self.playbook_id.map(str::to_owned)
            } else {
                None
            },
            notes: rng.random_bool(0.2).then(|| (*pick(rng, NOTES)).to_owned()),
            conversation_date,
            created_at: conversation_date
                + Duration::seconds(i64::from(transcript.duration_seconds.unwrap_or(0)))
                + Duration::minutes(rng.random_range(1..30)),
        }
    }
}
