# Civic Pulse report, English. Every fixed sentence of the report is here; figures are
# filled in already formatted for the locale. Numbers named `count`/`n` select plurals.

report-title = Service performance report, { $period }
report-intro = From { $from } to { $to }, local days ({ $zone }), { $count ->
    [one] for one service
   *[other] for { $count_text } services
}. Figures as of { $generated } ({ $zone }).
contents = Contents
section-summary = Summary
section-matrix = The quality matrix
section-guarantees = Service guarantees
section-services = Services
section-method = Method notes

summary-empty = No response, transaction or closed case was recorded in this period, so the report has no figure to show.
summary-services = { $count ->
    [one] 1 service is covered
   *[other] { $count_text } services are covered
}: { $on } on target, { $near } near target, { $off } off target and { $unjudged } with no judged figure.
summary-services-rule = A service is off target when any of its judged figures is off target, near target when any is near and none is off, and on target when every judged figure is on target.
summary-changes = Largest changes
summary-change = { $service }: { $dimension } { $verdict ->
    [improved] improved
   *[worsened] declined
} from { $before } to { $after } since { $against ->
    [previous_period] the previous period
   *[same_period_last_year] the same period last year
} ({ $change }; 95% interval { $low } to { $high }).
summary-changes-none = No figure changed by more than its uncertainty since the previous period or the same period last year.
summary-changes-no-earlier = There is no earlier period with data to compare with.
summary-guarantees = Service guarantees
summary-guarantees-none-closed = No case under a service guarantee was closed in the period.
summary-guarantees-broken = { $count ->
    [0] No case closed in the period broke its service guarantee.
    [one] One case closed in the period broke its service guarantee.
   *[other] { $count_text } cases closed in the period broke their service guarantee.
}
summary-refunds = Refunds owed for them: { $amounts }.
summary-refunds-excused = { $count ->
    [one] One of them was late during a declared exceptional circumstance and owes no refund.
   *[other] { $count_text } of them were late during declared exceptional circumstances and owe no refund.
}
summary-standard-missed = Off target: { $service }, “{ $policy }”: { $met } of { $closed } cases met it ({ $compliance }), against a target of { $target }.
summary-standards-kept = Every service standard with closed cases met its target.
summary-equity = Widest equity gaps
summary-equity-gap = { $service }, { $dimension }: { $of ->
    [timeliness] { $low } of { $low_group } had their case closed within the standard, against { $high } of { $high_group }
   *[satisfaction] { $low } of { $low_group } were satisfied, against { $high } of { $high_group }
} (a gap of { $gap }).
summary-equity-none = No equity gap could be measured: no two groups had enough responses.
summary-interventions = Interventions
summary-intervention = { $name } ({ $service }, from { $date }): { $description }
intervention-finding = { $dimension } { $verdict ->
    [improved] improved
   *[worsened] worsened
}: { $before } before, { $after } after ({ $change }). { $did ->
    [improved] Peers without the change moved by { $peers }; the difference, { $difference }, favours the change.
    [worsened] Peers without the change moved by { $peers }; the difference, { $difference }, goes against the change.
    [no_clear_change] Peers without the change moved by { $peers }; the difference, { $difference }, is within its uncertainty, so the change is not shown to be the cause.
    [no_peers] The service has no peer to compare with.
   *[none] No peer service without the change had enough data to compare with.
}
intervention-no-clear-change = no figure changed by more than its uncertainty
intervention-too-thin = too few observations before or after to judge
intervention-too-early = too early to evaluate
summary-interventions-none = No intervention took effect before the end of the period.

matrix-caption = Each service's figures for the period: value, observations, 95% interval, target, peer benchmark, previous period and status.
matrix-empty = The matrix has no figure for this period.
col-service = Service
col-dimension = Figure
col-value = Value
col-n = Observations
col-interval = 95% interval
col-target = Target
col-peers = Peers
col-previous = Previous
col-status = Status
col-standard = Standard
col-closed = Closed
col-met = Met
col-compliance = Compliance
col-p90 = 90th percentile time
col-breached = Broken
col-refunds = Refunds owed
col-start = Starting
col-definition = Definition
col-unit = Unit
withheld = withheld

status-green = ✓ on target
status-amber = ◐ near target
status-red = ✗ off target
status-insufficient_data = withheld: too few observations
status-no_reference = no target or peers
status-info = for information
status-not_available = does not apply

guarantees-caption = How each service standard was kept for cases closed in the period.
guarantees-none = No service in this report has a service standard.

service-facts = Delivered by the { $jurisdiction }. { $peer_count ->
    [0] It has no peer service in this catalog.
   *[other] Compared with its peers: { $peers }.
}
service-all-withheld = Every figure of this service rests on fewer than { $k } observations and is withheld.
service-trends = Trends
service-standards = Service standards
service-volumes = Volumes and channels
service-equity = Equity
service-feedback-timing = Feedback and timeliness
service-feedback-timing-text = Of respondents whose case met its standard, { $met } were satisfied (4 or 5); of those whose case broke it, { $breached }.
service-feedback-timing-none = Too few responses were linked to closed cases to compare satisfaction by timeliness.
service-no-standard = This service has no service standard.

chart-title = { $dimension } by { $bucket ->
    [week] week
    [day] day
   *[month] month
}
chart-desc = { $service }, { $dimension }: { $shown } of { $buckets } periods have enough observations; the first shown is { $first } and the last { $last }. { $target } { $peers }
chart-desc-target = The target is { $target }.
chart-desc-no-target = There is no target.
chart-desc-peers = The peers' median is drawn where they have enough observations.
chart-desc-no-peers = No peer has enough observations.
chart-desc-empty = { $service }, { $dimension }: no period had enough observations to show a figure.
chart-legend-service = This service
chart-legend-peers = Peers' median
chart-legend-target = Target
chart-table-caption = The figures behind the chart “{ $title }”.

method-definitions = Definitions
method-definitions-caption = What each figure of the matrix measures.
method-suppression-heading = Suppression
method-suppression = A figure resting on fewer than { $k } observations is not shown (“withheld”), to protect respondents and because it would mislead. Counts are always shown; a group with too few responses never enters an equity gap.
method-intervals-heading = Intervals and statuses
method-intervals = Shares carry a 95% Wilson score interval, means a normal-approximation interval. A figure is on target at or beyond its target (else its peers' median), near it within the amber tolerance or when its interval still reaches it, and off it otherwise. A figure that cannot mean what it says for a service (digital take-up without a digital channel, a response rate whose responses outnumber the recorded offers) is marked “does not apply” and never judged.
method-changes = A change is called an improvement or a decline only when its 95% interval (Newcombe's for shares, normal for means) lies wholly on one side of zero; otherwise the report says that nothing changed by more than its uncertainty.
method-freshness-heading = Data freshness and completeness
method-latest = The newest event stored was received on { $at } ({ $zone }).
method-latest-none = No event is stored yet.
method-lag = { $count ->
    [0] No message was waiting to be stored when the report was generated.
    [one] One message was waiting to be stored when the report was generated.
   *[other] { $count_text } messages were waiting to be stored when the report was generated.
}
method-lag-unknown = The number of messages waiting to be stored is not known: { $why ->
    [not_configured] no monitoring server is configured for reports
    [no_answer] the monitoring server did not answer when the report was generated
   *[not_recorded] the monitoring holds no record of the pipeline for the period
}.
method-completeness = In the period, { $dead } messages went to the dead-letter topic and the gateway refused { $rejected } events, as the monitoring recorded them.
method-completeness-unknown = How many messages went to the dead-letter topic and how many events the gateway refused in the period is not known: { $why ->
    [not_configured] no monitoring server is configured for reports
    [no_answer] the monitoring server did not answer when the report was generated
   *[not_recorded] the monitoring holds no record of the pipeline for the period
}.
method-open-data = The same figures are published as open data beside this page: report.json, matrix.csv and sla.csv, described by csv-metadata.json (W3C CSV on the Web).

unit-count = count
unit-share = share (0–1)
unit-mean = mean of 1–5 answers
unit-days = the unit of the standard (business days unless it says otherwise)
unit-money = amount per transaction, in the currency of the catalog's cost
unit-gap = difference of shares

question-satisfaction = overall satisfaction
question-trust = trust
question-need_met = need met
question-ease = ease
question-time_reasonable = time reasonable
question-fair = fair treatment
question-helpful_staff = helpful staff

dim-mean = Mean answer: { $question }
dim-top2 = Satisfied share: { $question }
def-mean = The mean of the 1–5 answers to the { $question } question.
def-top2 = The share of answers of 4 or 5 to the { $question } question.
dim-transactions = Transactions
def-transactions = Service interactions reported as transactions in the period (a visit, a call, an online session); applications in case systems are counted apart, by the completion rate.
dim-surveys_offered = Surveys offered
def-surveys_offered = Transactions after which a survey was offered.
dim-responses = Responses
def-responses = Survey responses received in the period.
dim-response_rate = Response rate
def-response_rate = Responses divided by surveys offered; not judged when responses outnumber the recorded offers.
dim-completion_rate = Completion rate
def-completion_rate = Decisions made divided by the applications received in the period, as case systems report them (a flow ratio, not a cohort); not judged when decisions outnumber applications.
dim-digital_take_up = Digital take-up
def-digital_take_up = The share of transactions made online or in an app; does not apply to a service with no digital channel.
dim-sla_compliance = Standard met
def-sla_compliance = The share of cases closed in the period that met their service standard.
dim-sla_p90_elapsed_days = 90th percentile time
def-sla_p90_elapsed_days = Nine in ten cases closed in the period took at most this long, counted in the unit of the service's standard (business or calendar days, or business hours).
dim-error_rework_share = Errors and rework
def-error_rework_share = The share of decisions recorded as an error or as needing rework.
dim-equity_gap_satisfaction = Equity gap, satisfaction
def-equity_gap_satisfaction = The largest difference in satisfied share between groups of respondents (age, disability, language, region) with enough responses.
dim-equity_gap_timeliness = Equity gap, timeliness
def-equity_gap_timeliness = The largest difference in the share of cases meeting their standard between groups of respondents.
dim-satisfaction_when_met = Satisfaction when on time
def-satisfaction_when_met = The satisfied share of respondents whose case met its standard.
dim-satisfaction_when_breached = Satisfaction when late
def-satisfaction_when_breached = The satisfied share of respondents whose case broke its standard.
dim-cost_per_transaction = Cost per transaction
def-cost_per_transaction = The period's cost of delivering the service (from the catalog) divided by its transactions; not available when no cost covers exactly the period.
dim-theme-share = Comments about “{ $theme }”
dim-theme-family = Comments about a theme
def-theme-share = The share of the comments read in the period that are about the theme (or one of its sub-themes), as the themes model read them. A theme has no target: it is judged against the service's previous period, a rise (a fall, for praise) beyond its 95% interval being red.

summary-standard-near = Near target: { $service }, “{ $policy }”: { $met } of { $closed } cases met it ({ $compliance }), against a target of { $target }, within the tolerance or the uncertainty of the target.
summary-standards-withheld = { $count ->
    [one] One standard closed fewer than { $k } cases; its figures are withheld and not counted above.
   *[other] { $count_text } standards closed fewer than { $k } cases each; their figures are withheld and not counted above.
}
elapsed = { $value } { $unit ->
    [business_days] { $count ->
        [one] business day
       *[other] business days
    }
    [calendar_days] { $count ->
        [one] day
       *[other] days
    }
    [business_hours] { $count ->
        [one] business hour
       *[other] business hours
    }
    [business_minutes] { $count ->
        [one] business minute
       *[other] business minutes
    }
   *[mixed] (options counted in different units)
}
scorecard-caption = Scorecard: each service's figures off or near their target (or, without a target, their peers' median; for comments about a theme, the previous period), with the observations they rest on.
col-off-target = Off target
col-near-target = Near target
scorecard-unjudged = no figure judged
scorecard-figure-target = { $dimension } { $value } against a target of { $reference } ({ $n } observations)
scorecard-figure-peers = { $dimension } { $value } against the peers' median of { $reference } ({ $n } observations)
scorecard-figure-alone = { $dimension } { $value } ({ $n } observations)
scorecard-figure-previous = { $dimension } { $value } against { $reference } in the previous period ({ $n } comments)
summary-equity-gap-note = { $service }: { $dimension }, a gap of { $gap } ({ $note }).
group-age_band-under_18 = respondents under 18
group-age_band-18_24 = respondents aged 18 to 24
group-age_band-25_34 = respondents aged 25 to 34
group-age_band-35_44 = respondents aged 35 to 44
group-age_band-45_54 = respondents aged 45 to 54
group-age_band-55_64 = respondents aged 55 to 64
group-age_band-65_74 = respondents aged 65 to 74
group-age_band-75_plus = respondents aged 75 and over
group-disability-yes = respondents with a disability
group-disability-no = respondents without a disability
group-language = respondents served in { $language }
group-region = respondents in region { $region }
language-en = English
language-fr = French
intervention-caveat = A change between before and after a date is not by itself the intervention's effect: anything else that changed at the same time (a surge in demand, a season) moves it too. The change of peer services without the intervention is the better guide where they have data.
summary-incomplete = { $period ->
    [this_period] Data for { $services } begin on { $date }, after this period starts: { $count ->
        [one] its figures cover part of the period and are
       *[other] their figures cover part of the period and are
    } not compared with earlier periods.
    [previous_period] Data for { $services } begin on { $date }: the previous period is incomplete for { $count ->
        [one] it
       *[other] them
    } and is not compared with.
   *[same_period_last_year] Data for { $services } begin on { $date }: the same period last year is incomplete for { $count ->
        [one] it
       *[other] them
    } and is not compared with.
}
# Data cut-off and revisions (`crate::revision`).
cut-off = Data cut-off: { $at } ({ $zone }). These figures count the events stored by then; events received later, even those dated in the period, are not in them. If they change a figure, the report is published again as a new revision beside this one.
revision-heading = Revision { $number }
revision-intro = This is revision { $number } of this report, published { $published } ({ $zone }) with data up to { $cut_off } ({ $zone }). It replaces revision { $previous }, published { $previous_published } ({ $zone }) with data up to { $previous_cut_off } ({ $zone }): events received since changed { $count ->
    [one] one figure
   *[other] { $count_text } figures
}. Earlier revisions stay published as they were.
revision-changes = What changed
revision-change = { $service }, { $figure } — { $fields }.
revision-change-field = { $field } { $old } → { $new }
revision-added = { $service }, { $figure } — new in this revision.
revision-removed = { $service }, { $figure } — no longer in this revision.
revision-others = { $count ->
    [one] One other figure changed
   *[other] { $count_text } other figures changed
} (trends, comparisons with earlier periods, peer benchmarks, intervals, interventions); changes.json beside this page lists every change with its old and new value.
revision-earlier = Earlier revisions
revision-earlier-item = Revision { $number }, published { $published } ({ $zone }), data up to { $cut_off } ({ $zone })
summary-turns = Turns within the period
summary-turn = { $service }: { $dimension } was { $before } from { $from } to { $until } ({ $before_n } observations), then { $after } from { $since } to { $to } ({ $after_n } observations); the period's figure of { $whole } hides the turn.
status-no-observation = no observation
summary-changes-incomplete = No earlier period has complete data to compare with (see below).
service-feedback-timing-met-only = Of respondents whose case met its standard, { $met } were satisfied (4 or 5); too few had a late case to compare with.
service-volumes-caption = How much the service was used, and through which channels.
service-equity-caption = The largest gaps between groups of respondents.
zone-time = { $city } time
period-months = { $first } to { $last }

service-themes = What people wrote
service-themes-none = No comment about this service was analysed in this period.
service-themes-intro = { $comments ->
    [one] 1 comment was
   *[other] { $comments_text } comments were
} analysed for their themes in this period. The themes most mentioned:
service-themes-intro-unnamed = { $comments ->
    [one] 1 comment was
   *[other] { $comments_text } comments were
} analysed in this period; none named a theme of the taxonomy.
service-themes-share = { $theme }: { $share } of the comments analysed ({ $mentions ->
    [one] 1 comment
   *[other] { $mentions_text } comments
})
service-themes-withheld = { $theme }: { $mentions ->
    [one] 1 comment
   *[other] { $mentions_text } comments
} (too few comments to publish a percentage: at least { $k } are needed)
service-themes-emerging-heading = Emerging issues
service-themes-emerging-none = No theme or phrase rose above what this service's comments of the previous 28 days lead one to expect.
service-themes-emerging-unchecked = Not checked yet: a day is compared with the service's previous 28 days of comments, and this service does not have them yet.
service-themes-emerging = On { $day }, { $count ->
    [one] 1 comment
   *[other] { $count_text } comments
} mentioned { $theme }, { $rare ->
    [yes] a theme that had hardly appeared before.
   *[no] against about { $expected } a day usually.
}
service-themes-emerging-phrase = On { $day }, { $count ->
    [one] 1 comment
   *[other] { $count_text } comments
} used the words “{ $theme }”, { $rare ->
    [yes] which had hardly appeared before.
   *[no] against about { $expected } a day usually.
}
service-themes-quotes = What some people wrote about { $theme } (quoted as written, with personal details masked automatically as ###):
