//! Which speaker sells and which one buys.
//!
//! Every rule of the analysis depends on it ("an element only the agent asserted is at most
//! partial"), so the evidence is taken in order of strength: the agent's own name, then a role label
//! people write (Vendedor/Cliente, Rep/Customer, SDR...), then "everyone else is the other side", and
//! only when nothing says it, a guess — the one who asks most questions is selling. How each role was
//! decided is reported, so a wrong guess is visible.

use crate::lexicon::Lexicon;
use crate::model::{RoleSource, SpeakerInfo, SpeakerRole};
use crate::text::{fold, words};

fn folded_words(s: &str) -> Vec<String> {
    words(&fold(s)).map(|(_, w)| w.to_owned()).collect()
}

fn contains_sequence(haystack: &[String], needle: &[String]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

fn names_agent(label: &[String], agent: &[String]) -> bool {
    if label.is_empty() || agent.is_empty() {
        return false;
    }
    let within = |small: &[String], big: &[String]| small.iter().all(|w| big.contains(w));
    within(label, agent) || within(agent, label)
}

/// Roles for `labels` (distinct speaker labels in order of first appearance); `questions[i]` is how
/// many questions `labels[i]` asked.
pub(crate) fn recognise(
    labels: &[String],
    questions: &[usize],
    agent_name: Option<&str>,
    lexicon: &Lexicon,
) -> Vec<SpeakerInfo> {
    let agent = agent_name.map(folded_words).unwrap_or_default();
    let mut roles: Vec<(SpeakerRole, RoleSource)> = labels
        .iter()
        .map(|label| {
            let words = folded_words(label);
            if names_agent(&words, &agent) {
                (SpeakerRole::Agent, RoleSource::AgentName)
            } else if lexicon
                .agent_labels
                .iter()
                .any(|l| contains_sequence(&words, l))
            {
                (SpeakerRole::Agent, RoleSource::RoleLabel)
            } else if lexicon
                .customer_labels
                .iter()
                .any(|l| contains_sequence(&words, l))
            {
                (SpeakerRole::Customer, RoleSource::RoleLabel)
            } else {
                (SpeakerRole::Unknown, RoleSource::None)
            }
        })
        .collect();

    let has = |roles: &[(SpeakerRole, RoleSource)], role| roles.iter().any(|(r, _)| *r == role);
    let other_side = if has(&roles, SpeakerRole::Agent) {
        Some(SpeakerRole::Customer)
    } else if has(&roles, SpeakerRole::Customer) {
        Some(SpeakerRole::Agent)
    } else {
        None
    };
    match other_side {
        Some(side) => {
            for r in roles.iter_mut().filter(|(r, _)| *r == SpeakerRole::Unknown) {
                *r = (side, RoleSource::OtherSide);
            }
        }
        None if labels.len() >= 2 => {
            // The first speaker wins ties: the seller usually opens a call or a chat.
            let mut seller = 0;
            for (i, &q) in questions.iter().enumerate().take(labels.len()) {
                if q > questions.get(seller).copied().unwrap_or(0) {
                    seller = i;
                }
            }
            for (i, r) in roles.iter_mut().enumerate() {
                let role = if i == seller {
                    SpeakerRole::Agent
                } else {
                    SpeakerRole::Customer
                };
                *r = (role, RoleSource::Guess);
            }
        }
        None => {}
    }
    labels
        .iter()
        .zip(roles)
        .map(|(name, (role, recognised_by))| SpeakerInfo {
            name: name.clone(),
            role,
            recognised_by,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roles(
        labels: &[&str],
        questions: &[usize],
        agent: Option<&str>,
    ) -> Vec<(SpeakerRole, RoleSource)> {
        let lexicon = Lexicon::embedded().expect("lexicon");
        let labels: Vec<String> = labels.iter().map(|s| s.to_string()).collect();
        recognise(&labels, questions, agent, &lexicon)
            .into_iter()
            .map(|s| (s.role, s.recognised_by))
            .collect()
    }

    #[test]
    fn the_agent_is_found_by_first_name_or_full_name() {
        assert_eq!(
            roles(&["Carlos Lima", "Ana"], &[5, 0], Some("Ana Souza")),
            [
                (SpeakerRole::Customer, RoleSource::OtherSide),
                (SpeakerRole::Agent, RoleSource::AgentName)
            ]
        );
        assert_eq!(
            roles(&["ANA SOUZA (Performancy)"], &[0], Some("Ana Souza"))[0].0,
            SpeakerRole::Agent
        );
    }

    #[test]
    fn another_person_sharing_the_agents_first_name_is_not_the_agent() {
        assert_eq!(
            roles(&["Ana Paula Lima", "Ana Souza"], &[0, 0], Some("Ana Souza"))[0].0,
            SpeakerRole::Customer
        );
    }

    #[test]
    fn role_labels_are_recognised_in_both_languages() {
        assert_eq!(
            roles(&["Vendedor", "Cliente"], &[0, 3], None),
            [
                (SpeakerRole::Agent, RoleSource::RoleLabel),
                (SpeakerRole::Customer, RoleSource::RoleLabel)
            ]
        );
        assert_eq!(
            roles(&["Customer", "Sales Rep"], &[0, 0], None)[1].0,
            SpeakerRole::Agent
        );
        assert_eq!(
            roles(&["SDR", "João"], &[0, 0], None)[1],
            (SpeakerRole::Customer, RoleSource::OtherSide)
        );
    }

    #[test]
    fn without_names_or_labels_the_one_asking_questions_is_guessed_to_sell() {
        assert_eq!(
            roles(&["Speaker 1", "Speaker 2"], &[1, 6], None),
            [
                (SpeakerRole::Customer, RoleSource::Guess),
                (SpeakerRole::Agent, RoleSource::Guess)
            ]
        );
    }

    #[test]
    fn a_single_unlabelled_speaker_stays_unknown() {
        assert_eq!(
            roles(&["Maria"], &[2], None),
            [(SpeakerRole::Unknown, RoleSource::None)]
        );
    }
}
