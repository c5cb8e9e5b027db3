//! The pre-chat form: stands where the composer goes until the visitor has answered the fields
//! the host asked for ([`crate::config::Config::prechat`]) and did not fill itself. Each field
//! has a visible label; a refused answer marks its field `aria-invalid`, says why in words tied
//! to it by `aria-describedby`, and gets the focus. The answers become custom attributes
//! ([`WindowState::custom_attributes`]); the checks are [`parley_shared::prechat::check`].

use std::collections::BTreeMap;

use leptos::html::Form;
use leptos::prelude::*;
use parley_shared::prechat::{Field, FieldKind, Problem, check, unfilled};

use super::composer::{ComposerFocus, focus};
use crate::i18n::Key;
use crate::window_state::WindowState;

/// The form.
#[component]
pub fn PrechatForm() -> impl IntoView {
    let window = expect_context::<WindowState>();
    let composer = use_context::<ComposerFocus>();
    let form = composer.map_or_else(NodeRef::<Form>::new, |c| c.prechat);
    let values = RwSignal::new(BTreeMap::<String, String>::new());
    let problems = RwSignal::new(BTreeMap::<String, Problem>::new());
    let asked = move || {
        window.host_attributes.with(|host| {
            window
                .prechat_fields
                .with_value(|fields| unfilled(fields, host).into_iter().cloned().collect())
        })
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let fields: Vec<Field> = asked();
        let mut answers = BTreeMap::new();
        let mut refused = BTreeMap::new();
        values.with_untracked(|values| {
            for field in &fields {
                let answer = values.get(&field.key).map_or("", String::as_str);
                match check(field, answer) {
                    Ok(answer) => drop(answers.insert(field.key.clone(), answer)),
                    Err(problem) => drop(refused.insert(field.key.clone(), problem)),
                }
            }
        });
        let first_refused = fields
            .iter()
            .find(|f| refused.contains_key(&f.key))
            .cloned();
        problems.set(refused);
        if let Some(field) = first_refused {
            let input = form.get_untracked().and_then(|form| {
                form.query_selector(&format!("#{}", field_id(&field.key)))
                    .ok()
                    .flatten()
            });
            if let Some(input) = input {
                focus(&input);
            }
            return;
        }
        window.prechat_answers.set(Some(answers));
        // The form gives way to the composer: the visitor writes there next.
        if let Some(composer) = composer {
            request_animation_frame(move || {
                if let Some(input) = composer.input.get_untracked() {
                    let _ = input.focus();
                }
            });
        }
    };
    view! {
        <form class="parley-prechat" data-parley-prechat="" novalidate=""
            aria-labelledby="parley-prechat-intro" node_ref=form on:submit=submit>
            <p id="parley-prechat-intro" class="parley-prechat-intro">{window.t(Key::PrechatIntro)}</p>
            {move || asked().into_iter().map(|field| field_view(field, window, values, problems)).collect_view()}
            <button type="submit" class="parley-button">{window.t(Key::PrechatStart)}</button>
        </form>
    }
}

/// The element id of a field's input (unique inside the window's shadow root).
fn field_id(key: &str) -> String {
    format!("parley-prechat-{key}")
}

/// One labelled input, with its error while its answer is refused.
fn field_view(
    field: Field,
    window: WindowState,
    values: RwSignal<BTreeMap<String, String>>,
    problems: RwSignal<BTreeMap<String, Problem>>,
) -> impl IntoView {
    let id = field_id(&field.key);
    let error_id = format!("{id}-error");
    let key = field.key.clone();
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
    let problem = {
        let key = key.clone();
        move || problems.with(|p| p.get(&key).copied())
    };
    let message = move |problem: Problem| {
        window.t(match (problem, checkbox) {
            (Problem::Required, true) => Key::ProblemConsent,
            (Problem::Required, false) => Key::ProblemRequired,
            (Problem::Email, _) => Key::ProblemEmail,
            (Problem::Phone, _) => Key::ProblemPhone,
        })
    };
    let value_key = key.clone();
    let value = move || values.with(|v| v.get(&value_key).cloned().unwrap_or_default());
    let on_input = move |ev: leptos::ev::Event| {
        let answer = if checkbox {
            event_target_checked(&ev).to_string()
        } else {
            event_target_value(&ev)
        };
        values.update(|v| drop(v.insert(key.clone(), answer)));
    };
    let described_by = {
        let problem = problem.clone();
        let error_id = error_id.clone();
        move || problem().map(|_| error_id.clone())
    };
    let invalid = {
        let problem = problem.clone();
        move || problem().map(|_| "true")
    };
    view! {
        <div class="parley-field" class:parley-field-check=checkbox>
            <label for=id.clone()>
                {label}
                {(!field.required).then(|| view! { " " <span>{window.t(Key::FieldOptional)}</span> })}
            </label>
            <input id=id type=input_type autocomplete=autocomplete maxlength="200"
                aria-required=field.required.then_some("true") aria-invalid=invalid
                aria-describedby=described_by
                prop:value=value.clone() prop:checked=move || checkbox && value() == "true"
                on:input=on_input.clone() on:change=on_input/>
            {move || problem().map(|problem| view! {
                <p id=error_id.clone() class="parley-field-error">{message(problem)}</p>
            })}
        </div>
    }
}
