//! Suggested actions: what the agent should do next, each tied to a gap the analysis found — an
//! element nobody touched, one only the agent raised, an objection left unanswered, a playbook
//! question not asked, a call that ended without a booked next step.
//!
//! Generic advice ("build rapport") is never produced: every action names its gap, so an agent can
//! see why it was suggested and a manager can check it was done.

use crate::lexicon::{Element, Lexicon};
use crate::model::{
    ActionKind, ActionPriority, ElementScore, ElementStatus, KeyMoment, Language, MomentKind,
    ObjectionCheck, Playbook, QuestionCheck, SuggestedAction,
};

/// Unasked playbook questions suggested at most; the rest are in the adherence list.
const MAX_QUESTIONS: usize = 3;
const MAX_ACTIONS: usize = 10;

pub(crate) struct Gaps<'a> {
    pub elements: &'a [Element],
    pub scores: &'a [ElementScore],
    pub objections: &'a [ObjectionCheck],
    pub questions: &'a [QuestionCheck],
    pub moments: &'a [KeyMoment],
    pub playbook: &'a Playbook,
}

pub(crate) fn suggest(gaps: &Gaps, lexicon: &Lexicon, language: Language) -> Vec<SuggestedAction> {
    let mut actions = Vec::new();
    for (element, score) in gaps.elements.iter().zip(gaps.scores) {
        let (kind, priority, text) = match score.status {
            ElementStatus::Missing => (
                ActionKind::AskElement,
                ActionPriority::High,
                element.ask.get(language),
            ),
            ElementStatus::Partial => (
                ActionKind::ConfirmElement,
                ActionPriority::Medium,
                element.confirm.get(language),
            ),
            ElementStatus::Covered => continue,
        };
        actions.push(SuggestedAction {
            kind,
            priority,
            text: text.to_owned(),
            element: Some(element.key.clone()),
        });
    }
    for o in gaps.objections.iter().filter(|o| !o.answered) {
        let response = o
            .playbook_objection
            .as_ref()
            .and_then(|name| {
                gaps.playbook
                    .objections
                    .iter()
                    .find(|p| &p.objection == name)
            })
            .map(|p| p.response.trim())
            .filter(|r| !r.is_empty());
        let text = match response {
            Some(r) => lexicon.message(
                "action.objection",
                language,
                &[("label", &o.label), ("response", r)],
            ),
            None => lexicon.message(
                "action.objection_generic",
                language,
                &[("label", &o.label), ("quote", &short(&o.objection.quote))],
            ),
        };
        actions.push(SuggestedAction {
            kind: ActionKind::AnswerObjection,
            priority: ActionPriority::High,
            text,
            element: None,
        });
    }
    let next_steps: Vec<&KeyMoment> = gaps
        .moments
        .iter()
        .filter(|m| m.kind == MomentKind::NextStep)
        .collect();
    if next_steps.is_empty() {
        actions.push(SuggestedAction {
            kind: ActionKind::BookNextStep,
            priority: ActionPriority::High,
            text: lexicon.message("action.book_next_step", language, &[]),
            element: None,
        });
    } else if next_steps
        .iter()
        .all(|m| m.date.is_none() && m.date_text.is_none())
    {
        actions.push(SuggestedAction {
            kind: ActionKind::BookNextStep,
            priority: ActionPriority::Medium,
            text: lexicon.message("action.date_next_step", language, &[]),
            element: None,
        });
    }
    for q in gaps
        .questions
        .iter()
        .filter(|q| !q.asked)
        .take(MAX_QUESTIONS)
    {
        actions.push(SuggestedAction {
            kind: ActionKind::AskPlaybookQuestion,
            priority: ActionPriority::Low,
            text: lexicon.message(
                "action.question",
                language,
                &[("question", q.question.trim())],
            ),
            element: None,
        });
    }
    // Stable: within a priority, the order above (methodology order, then conversation order).
    actions.sort_by_key(|a| a.priority);
    actions.truncate(MAX_ACTIONS);
    actions
}

/// A quote cut to a readable length for a sentence the analyser writes (evidence stays whole).
pub(crate) fn short(quote: &str) -> String {
    const LIMIT: usize = 120;
    if quote.chars().count() <= LIMIT {
        return quote.to_owned();
    }
    let cut: String = quote.chars().take(LIMIT).collect();
    let cut = match cut.rfind(' ') {
        Some(space) if space > LIMIT / 2 => cut[..space].to_owned(),
        _ => cut,
    };
    format!("{cut}…")
}
