//! The pre-chat form: stands where the composer goes until the visitor has answered the fields
//! the host asked for ([`crate::config::Config::prechat`]) and did not fill itself. Each field
//! has a visible label; a refused answer marks its field `aria-invalid`, says why in words tied
//! to it by `aria-describedby`, and gets the focus. The answers become custom attributes
//! ([`WindowState::custom_attributes`]); the checks are [`parley_shared::prechat::check`].

use std::collections::BTreeMap;

use leptos::html::Form;
use leptos::prelude::*;
use parley_shared::prechat::{Field, FieldKind, Problem, check, unfilled};
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;

use super::composer::{ComposerFocus, focus};
use crate::i18n::Key;
use crate::window_state::WindowState;

/// The form. Its fields are plain DOM inputs read on submit; the list is drawn again only when
/// what is asked or what is refused changes (typed values are carried over), which keeps the
/// window's code small: no reactive attribute per field.
#[component]
pub fn PrechatForm() -> impl IntoView {
    let window = expect_context::<WindowState>();
    let composer = use_context::<ComposerFocus>();
    let form = composer.map_or_else(NodeRef::<Form>::new, |c| c.prechat);
    // What was typed (as of the last submit) and the refused fields' errors, in words.
    let values = StoredValue::new(BTreeMap::<String, String>::new());
    let problems = RwSignal::new(BTreeMap::<String, String>::new());
    let asked = move || {
        window.host_attributes.with(|host| {
            window
                .prechat_fields
                .with_value(|fields| unfilled(fields, host).into_iter().cloned().collect())
        })
    };
    let input_of = move |key: &str| {
        form.get_untracked()?
            .query_selector(&format!("#{}", field_id(key)))
            .ok()
            .flatten()
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let fields: Vec<Field> = asked();
        let mut typed = BTreeMap::new();
        let mut answers = BTreeMap::new();
        let mut refused = BTreeMap::new();
        for field in &fields {
            let answer = input_of(&field.key)
                .and_then(|input| input.dyn_into::<HtmlInputElement>().ok())
                .map(|input| match field.kind {
                    FieldKind::Consent => input.checked().to_string(),
                    _ => input.value(),
                })
                .unwrap_or_default();
            match check(field, &answer) {
                Ok(kept) => drop(answers.insert(field.key.clone(), kept)),
                Err(problem) => {
                    let words = window.t(problem_key(problem, field.kind)).to_owned();
                    drop(refused.insert(field.key.clone(), words));
                }
            }
            typed.insert(field.key.clone(), answer);
        }
        let first_refused = fields
            .iter()
            .find(|f| refused.contains_key(&f.key))
            .map(|f| f.key.clone());
        values.set_value(typed);
        problems.set(refused);
        if let Some(key) = first_refused {
            // After the list is drawn with the errors.
            request_animation_frame(move || {
                if let Some(input) = input_of(&key) {
                    focus(&input);
                }
            });
            return;
        }
        window.prechat_answers.set(answers);
        window.prechat_answered.set(true);
        // The form gives way to the composer: the visitor writes there next.
        if let Some(composer) = composer {
            request_animation_frame(move || {
                if let Some(input) = composer.input.get_untracked() {
                    let _ = input.focus();
                }
            });
        }
    };
    let fields = move || {
        let refused = problems.get();
        let typed = values.get_value();
        asked()
            .into_iter()
            .map(|field| {
                let problem = refused.get(&field.key).cloned();
                let value = typed.get(&field.key).cloned().unwrap_or_default();
                field_view(field, window, value, problem)
            })
            .collect_view()
    };
    view! {
        <form class="parley-prechat" data-parley-prechat="" novalidate=""
            aria-labelledby="parley-prechat-intro" node_ref=form on:submit=submit>
            <p id="parley-prechat-intro" class="parley-prechat-intro">{window.t(Key::PrechatIntro)}</p>
            {fields}
            <button type="submit" class="parley-button">{window.t(Key::PrechatStart)}</button>
        </form>
    }
}

/// Why an answer was refused, as a key of the window's words.
fn problem_key(problem: Problem, kind: FieldKind) -> Key {
    match (problem, kind) {
        (Problem::Required, FieldKind::Consent) => Key::ProblemConsent,
        (Problem::Required, _) => Key::ProblemRequired,
        (Problem::Email, _) => Key::ProblemEmail,
        (Problem::Phone, _) => Key::ProblemPhone,
    }
}

/// The element id of a field's input (unique inside the window's shadow root).
fn field_id(key: &str) -> String {
    format!("parley-prechat-{key}")
}

/// One labelled input holding `value`, with `problem` (why its answer was refused) under it.
fn field_view(
    field: Field,
    window: WindowState,
    value: String,
    problem: Option<String>,
) -> impl IntoView {
    let id = field_id(&field.key);
    let error_id = format!("{id}-error");
    let built_in = match field.kind {
        FieldKind::Name => Some(Key::FieldName),
        FieldKind::Email => Some(Key::FieldEmail),
        FieldKind::Phone => Some(Key::FieldPhone),
        FieldKind::Consent => Some(Key::FieldConsent),
        FieldKind::Text => None,
    };
    let label = field
        .label(window.locale.tag())
        .map(str::to_owned)
        .or_else(|| built_in.map(|k| window.t(k).to_owned()))
        .unwrap_or_else(|| field.key.clone());
    let (input_type, autocomplete) = match field.kind {
        FieldKind::Name => ("text", "name"),
        FieldKind::Email => ("email", "email"),
        FieldKind::Phone => ("tel", "tel"),
        FieldKind::Consent => ("checkbox", "off"),
        FieldKind::Text => ("text", "off"),
    };
    let checkbox = field.kind == FieldKind::Consent;
    let optional = (!field.required).then(|| format!(" {}", window.t(Key::FieldOptional)));
    let checked = checkbox && value == "true";
    let text = if checkbox { String::new() } else { value };
    view! {
        <div class="parley-field" class:parley-field-check=checkbox>
            <label for=id.clone()>{label}{optional}</label>
            <input id=id type=input_type autocomplete=autocomplete maxlength="200"
                aria-required=field.required.then_some("true")
                aria-invalid=problem.is_some().then_some("true")
                aria-describedby=problem.is_some().then(|| error_id.clone())
                prop:value=text prop:checked=checked/>
            {problem.map(|problem| view! {
                <p id=error_id class="parley-field-error">{problem}</p>
            })}
        </div>
    }
}
