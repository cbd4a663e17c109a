//! The OpenAPI document, generated from the handlers' annotations (utoipa), never written
//! by hand: `GET /api/v1/openapi.json` (open, so tools can discover the API).

use axum::Json;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Civic Pulse dashboard API",
        description = "Service quality of public services: the quality matrix, time series, interventions and SLA figures. Every list is a flat JSON array of objects (or CSV with `Accept: text/csv`); times are ISO 8601; errors are `{\"error\": {\"code\", \"message\"}}`."
    ),
    paths(
        routes::services::list,
        routes::matrix::matrix,
        routes::snapshots::snapshots,
        routes::timeseries::timeseries,
        routes::interventions::interventions,
        routes::sla_cases::cases,
        routes::sla_summary::summary,
        routes::sla_remissions::remissions,
        routes::sla_forecast::forecast,
        routes::sla_exceptions::list,
        routes::sla_exceptions::declare,
        routes::sla_exceptions::withdraw,
        routes::sla_exceptions::history,
        routes::comments::comments,
        routes::corrections::correct,
        routes::corrections::corrections,
        routes::exports::gc_service_std,
        routes::exports::omb_a11,
        routes::exports::govuk_kpis,
        routes::reports::list,
        routes::reports::file,
        routes::reports::revision_file,
        routes::themes::themes,
        routes::theme_suggestions::suggestions,
        routes::emerging::emerging,
        routes::audit::audit,
        routes::erasures::erase,
    ),
    components(schemas(
        crate::error::ErrorBody,
        crate::error::ErrorDetail,
        routes::reports::ReportRun,
        routes::audit::AuditRow,
        routes::themes::ThemeRow,
        routes::theme_suggestions::SuggestionRow,
        routes::emerging::EmergingRow,
        routes::comments::Comment,
        routes::comments::ThemeScore,
        routes::comments::EvidenceSpan,
        routes::corrections::CorrectionBody,
        routes::corrections::Correction,
        routes::themes::DriverSignificance,
        routes::erasures::ErasureBody,
        routes::erasures::ErasureDone,
        routes::erasures::TableErased,
        routes::sla_remissions::RemissionCase,
        routes::sla_forecast::BreachDay,
        civicpulse_reports::exports::govuk_kpis::Record
    )),
    modifiers(&BearerToken),
    security(("bearer" = []))
)]
pub struct ApiDoc;

struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
