//! The routing tree: which monitoring channels (sinks) an alert goes to.
//!
//! Written in TOML like Alertmanager's `route` block:
//!
//! ```toml
//! [[routes]]
//! match = { category = "accession", country = "F*" }   # exact values, or a prefix ending in `*`
//! severity = ">= high"
//! sinks = ["webhook", "alertmanager"]
//! continue = false
//!
//!   [[routes.routes]]                                  # children refine their parent
//!   match = { rule = "nato_accession" }
//!   sinks = ["pager"]
//! ```
//!
//! An alert walks the top-level routes in order. The first route that matches takes it, unless it
//! says `continue = true`, in which case the following siblings are tried too. A matching route
//! with children hands the alert on to them the same way; if none of them matches, the route
//! itself takes it. A route without `sinks` uses its parent's. The result is the list of sinks of
//! every route that took the alert; an empty list (nothing matched, or only routes without sinks)
//! means every sink, as [`Alert::notifies`] reads it.
//!
//! Matchers name a label; `rule` and `severity` name the alert's rule id and severity unless the
//! alert has a label of that name. A value ending in `*` matches every value starting with what
//! comes before it (`"*"` alone: the label is present).

use std::collections::BTreeMap;

use commwatch_core::{Alert, Severity};
use serde::{Deserialize, Serialize};

/// A route as written in the configuration, before validation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteSpec {
    /// Label matchers, all of which must hold: label name → exact value or `prefix*`.
    #[serde(default, rename = "match", skip_serializing_if = "BTreeMap::is_empty")]
    pub matchers: BTreeMap<String, String>,
    /// The least severity matched: `"high"` or `">= high"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    /// The ids of the sinks that notify alerts this route takes; empty = the parent's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sinks: Vec<String>,
    /// Whether the following sibling routes are tried after this one matched.
    #[serde(default, rename = "continue")]
    pub continue_: bool,
    /// Child routes, tried when this one matches.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub routes: Vec<RouteSpec>,
}

/// A route that was configured wrongly: where (`routes[1].routes[0].severity`) and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct RouteError {
    /// The route and field, e.g. `routes[2].severity`.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

/// How a matcher compares a label's value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MatchValue {
    /// The value must equal this.
    Exact(String),
    /// The value must start with this (written with a trailing `*`).
    Prefix(String),
}

/// One label condition of a route.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Matcher {
    /// The label name (or `rule`, `severity`; see the module documentation).
    pub label: String,
    /// What its value must be.
    pub value: MatchValue,
}

impl Matcher {
    /// True when `alert` satisfies the matcher.
    pub fn matches(&self, alert: &Alert) -> bool {
        let value = match (alert.labels.get(&self.label), self.label.as_str()) {
            (Some(v), _) => v.as_str(),
            (None, "rule") => alert.rule.as_str(),
            (None, "severity") => alert.severity.as_str(),
            (None, _) => return false,
        };
        match &self.value {
            MatchValue::Exact(want) => value == want,
            MatchValue::Prefix(prefix) => value.starts_with(prefix.as_str()),
        }
    }
}

/// A validated route.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// Conditions that must all hold.
    pub matchers: Vec<Matcher>,
    /// The least severity the route takes, if any.
    pub min_severity: Option<Severity>,
    /// Sinks that notify the alerts this route takes; empty = the parent's.
    pub sinks: Vec<String>,
    /// Whether the following siblings are tried after this route matched.
    pub continue_: bool,
    /// Routes that refine this one.
    pub children: Vec<Route>,
}

impl Route {
    /// Validates `spec`, naming fields after `path` (e.g. `routes[0]`) in errors.
    fn from_spec(spec: &RouteSpec, path: &str) -> Result<Route, RouteError> {
        let err = |field: &str, message: String| RouteError {
            path: format!("{path}.{field}"),
            message,
        };
        let mut matchers = Vec::with_capacity(spec.matchers.len());
        for (label, value) in &spec.matchers {
            if label.trim().is_empty() {
                return Err(err("match", "a matcher has an empty label name".into()));
            }
            let value = match value.strip_suffix('*') {
                Some(prefix) => MatchValue::Prefix(prefix.to_owned()),
                None => MatchValue::Exact(value.clone()),
            };
            matchers.push(Matcher {
                label: label.clone(),
                value,
            });
        }
        let min_severity = spec
            .severity
            .as_deref()
            .map(|text| parse_min_severity(text).map_err(|m| err("severity", m)))
            .transpose()?;
        if let Some(i) = spec.sinks.iter().position(|s| s.trim().is_empty()) {
            return Err(err(&format!("sinks[{i}]"), "empty sink id".into()));
        }
        let children = spec
            .routes
            .iter()
            .enumerate()
            .map(|(i, child)| Route::from_spec(child, &format!("{path}.routes[{i}]")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Route {
            matchers,
            min_severity,
            sinks: spec.sinks.clone(),
            continue_: spec.continue_,
            children,
        })
    }

    /// True when `alert` satisfies every matcher and the least severity.
    pub fn matches(&self, alert: &Alert) -> bool {
        self.min_severity.is_none_or(|min| alert.severity >= min)
            && self.matchers.iter().all(|m| m.matches(alert))
    }
}

/// Parses `"high"` or `">= high"`.
fn parse_min_severity(text: &str) -> Result<Severity, String> {
    let t = text.trim();
    let name = t.strip_prefix(">=").unwrap_or(t).trim();
    name.parse().map_err(|_| {
        format!(
            "expected a severity or \">= severity\" (info, low, medium, high, critical), got {text:?}"
        )
    })
}

/// The configured routes, top level first. The default (no routes) sends every alert to every
/// sink.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(try_from = "Vec<RouteSpec>")]
pub struct RoutingTree {
    routes: Vec<Route>,
}

impl TryFrom<Vec<RouteSpec>> for RoutingTree {
    type Error = RouteError;

    fn try_from(specs: Vec<RouteSpec>) -> Result<RoutingTree, RouteError> {
        RoutingTree::new(&specs)
    }
}

impl RoutingTree {
    /// Validates the routes as written; errors name the route (`routes[1].routes[0]`) and field.
    pub fn new(specs: &[RouteSpec]) -> Result<RoutingTree, RouteError> {
        let routes = specs
            .iter()
            .enumerate()
            .map(|(i, spec)| Route::from_spec(spec, &format!("routes[{i}]")))
            .collect::<Result<_, _>>()?;
        Ok(RoutingTree { routes })
    }

    /// The top-level routes.
    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    /// The sinks `alert` goes to, each once, in the order routes name them; empty = every sink.
    pub fn route(&self, alert: &Alert) -> Vec<String> {
        let mut out = Vec::new();
        walk(&self.routes, alert, &[], &mut out);
        let mut seen = std::collections::HashSet::new();
        out.retain(|s| seen.insert(s.clone()));
        out
    }

    /// Checks that every sink a route names is one of `known` (the pipeline's sink ids); the error
    /// names the first that is not (`routes[0].sinks[1]: unknown sink "pager"`).
    pub fn check_sinks(&self, known: &[&str]) -> Result<(), RouteError> {
        fn check(routes: &[Route], prefix: &str, known: &[&str]) -> Result<(), RouteError> {
            for (i, route) in routes.iter().enumerate() {
                let path = format!("{prefix}routes[{i}]");
                if let Some((j, sink)) = route
                    .sinks
                    .iter()
                    .enumerate()
                    .find(|(_, s)| !known.contains(&s.as_str()))
                {
                    return Err(RouteError {
                        path: format!("{path}.sinks[{j}]"),
                        message: format!(
                            "unknown sink {sink:?}; the pipeline's sinks are {}",
                            known.join(", ")
                        ),
                    });
                }
                check(&route.children, &format!("{path}."), known)?;
            }
            Ok(())
        }
        check(&self.routes, "", known)
    }
}

/// Routes `alert` through `routes` (siblings), adding the sinks of the routes that take it to
/// `out`. Returns whether any route matched.
fn walk(routes: &[Route], alert: &Alert, inherited: &[String], out: &mut Vec<String>) -> bool {
    let mut matched = false;
    for route in routes {
        if !route.matches(alert) {
            continue;
        }
        matched = true;
        let sinks = if route.sinks.is_empty() {
            inherited
        } else {
            &route.sinks
        };
        if !walk(&route.children, alert, sinks, out) {
            out.extend(sinks.iter().cloned());
        }
        if !route.continue_ {
            break;
        }
    }
    matched
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::alert;

    #[derive(Deserialize)]
    struct Config {
        routes: RoutingTree,
    }

    fn tree(toml_text: &str) -> RoutingTree {
        toml::from_str::<Config>(toml_text).unwrap().routes
    }

    const TREE: &str = r#"
        [[routes]]
        match = { category = "accession" }
        severity = ">= high"
        sinks = ["webhook", "alertmanager"]

          [[routes.routes]]
          match = { country = "F*" }
          sinks = ["pager"]
          continue = true

          [[routes.routes]]
          match = { rule = "nato" }

        [[routes]]
        match = { category = "sanctions" }
        sinks = ["email"]
        continue = true

        [[routes]]
        severity = "critical"
        sinks = ["pager"]

        [[routes]]
        match = { category = "*" }
        sinks = ["archive"]
    "#;

    fn routed(t: &RoutingTree, rule: &str, labels: &[(&str, &str)], sev: Severity) -> Vec<String> {
        let mut a = alert(rule, labels, None);
        a.severity = sev;
        t.route(&a)
    }

    #[test]
    fn first_match_wins_children_refine_and_continue_goes_on() {
        let t = tree(TREE);
        let hi = Severity::High;
        // Child FI matches (continue), then child `nato` matches and inherits the parent's sinks.
        assert_eq!(
            routed(
                &t,
                "nato",
                &[("category", "accession"), ("country", "FI")],
                hi
            ),
            ["pager", "webhook", "alertmanager"]
        );
        // No child matches: the parent takes it.
        assert_eq!(
            routed(&t, "x", &[("category", "accession"), ("country", "SE")], hi),
            ["webhook", "alertmanager"]
        );
        // Too low for the accession route: falls through to the catch-all `category = "*"`.
        assert_eq!(
            routed(&t, "x", &[("category", "accession")], Severity::Low),
            ["archive"]
        );
        // continue = true on sanctions: the critical route takes it too, and stops there.
        assert_eq!(
            routed(&t, "x", &[("category", "sanctions")], Severity::Critical),
            ["email", "pager"]
        );
        // Nothing matches (no category label, not critical): every sink.
        assert!(routed(&t, "x", &[], hi).is_empty());
    }

    #[test]
    fn no_routes_means_every_sink() {
        assert!(
            RoutingTree::default()
                .route(&alert("r", &[], None))
                .is_empty()
        );
    }

    #[test]
    fn severity_and_pseudo_labels() {
        let t = tree(
            r#"
            [[routes]]
            match = { severity = "crit*" }
            sinks = ["a"]
            [[routes]]
            match = { rule = "r" }
            severity = "medium"
            sinks = ["b"]
            "#,
        );
        assert_eq!(routed(&t, "r", &[], Severity::Critical), ["a"]);
        assert_eq!(routed(&t, "r", &[], Severity::Medium), ["b"]);
        assert!(routed(&t, "r", &[], Severity::Low).is_empty());
        // A real label named `rule` wins over the rule id.
        assert!(routed(&t, "r", &[("rule", "other")], Severity::Low).is_empty());
    }

    #[test]
    fn errors_name_the_route_and_field() {
        let err = |text: &str| toml::from_str::<Config>(text).err().unwrap().to_string();
        let e = err("[[routes]]\nsinks = [\"a\"]\n[[routes]]\nseverity = \"urgent\"");
        assert!(e.contains("routes[1].severity"), "{e}");
        assert!(e.contains("urgent"), "{e}");
        let e = err("[[routes]]\n[[routes.routes]]\nsinks = [\"\"]");
        assert!(e.contains("routes[0].routes[0].sinks[0]"), "{e}");
        let e = err("[[routes]]\nmatch = { \"\" = \"x\" }");
        assert!(e.contains("routes[0].match"), "{e}");
        let e = err("[[routes]]\nreceiver = \"x\"");
        assert!(e.contains("receiver"), "{e}");

        let t = tree(TREE);
        let e = t.check_sinks(&["webhook", "alertmanager", "email", "archive"]);
        assert_eq!(
            e.unwrap_err().path,
            "routes[0].routes[0].sinks[0]",
            "pager is unknown"
        );
        assert!(
            t.check_sinks(&["webhook", "alertmanager", "email", "archive", "pager"])
                .is_ok()
        );
    }

    #[test]
    fn severity_forms() {
        assert_eq!(parse_min_severity(">= high"), Ok(Severity::High));
        assert_eq!(parse_min_severity(">=low"), Ok(Severity::Low));
        assert_eq!(parse_min_severity(" Critical "), Ok(Severity::Critical));
        assert!(parse_min_severity("> high").is_err());
    }
}
