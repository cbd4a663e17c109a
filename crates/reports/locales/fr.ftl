# Rapport Civic Pulse, français. Chaque phrase fixe du rapport est ici ; les chiffres sont
# insérés déjà mis en forme pour la langue. Les nombres `count`/`n` choisissent le pluriel.

report-title = Rapport sur le rendement des services, { $period }
report-intro = Du { $from } au { $to }, en jours locaux ({ $zone }), { $count ->
    [one] pour un service
   *[other] pour { $count_text } services
}. Données au { $generated } ({ $zone }).
contents = Table des matières
section-summary = Sommaire
section-matrix = La matrice de qualité
section-guarantees = Garanties de service
section-services = Services
section-method = Notes méthodologiques

summary-empty = Aucune réponse, aucune transaction et aucun dossier fermé n'ont été enregistrés pendant la période : le rapport n'a aucun chiffre à présenter.
summary-services = { $count ->
    [one] 1 service est visé
   *[other] { $count_text } services sont visés
} : { $on_n ->
    [0] aucun n’atteint la cible
    [one] 1 atteint la cible
   *[other] { $on } atteignent la cible
}, { $near_n ->
    [0] aucun n’en est proche
    [one] 1 en est proche
   *[other] { $near } en sont proches
}, { $off_n ->
    [0] aucun ne la manque
    [one] 1 ne l’atteint pas
   *[other] { $off } ne l’atteignent pas
} et { $unjudged_n ->
    [0] aucun n’est sans chiffre évalué
    [one] 1 n’a aucun chiffre évalué
   *[other] { $unjudged } n’ont aucun chiffre évalué
}.
summary-services-rule = Un service n'atteint pas la cible dès qu'un de ses chiffres évalués ne l'atteint pas ; il en est proche quand un chiffre en est proche et qu'aucun ne la manque ; il l'atteint quand tous ses chiffres évalués l'atteignent.
summary-changes = Changements les plus importants
summary-change = { $service } : { $dimension }, { $verdict ->
    [improved] amélioration
   *[worsened] recul
} de { $before } à { $after } depuis { $against ->
    [previous_period] la période précédente
   *[same_period_last_year] la même période l'an dernier
} ({ $change } ; intervalle à 95 % de { $low } à { $high }).
summary-changes-none = Aucun chiffre n'a changé de plus que son incertitude depuis la période précédente ou la même période l'an dernier.
summary-changes-no-earlier = Aucune période antérieure n'a de données pour comparer.
summary-guarantees = Garanties de service
summary-guarantees-none-closed = Aucun dossier visé par une garantie de service n'a été fermé pendant la période.
summary-guarantees-broken = { $count ->
    [0] Aucun dossier fermé pendant la période n'a manqué sa garantie de service.
    [one] Un dossier fermé pendant la période a manqué sa garantie de service.
   *[other] { $count_text } dossiers fermés pendant la période ont manqué leur garantie de service.
}
summary-refunds = Remboursements dus : { $amounts }.
summary-refunds-excused = { $count ->
    [one] L'un d'eux était en retard pendant une circonstance exceptionnelle déclarée et ne donne lieu à aucun remboursement.
   *[other] { $count_text } d'entre eux étaient en retard pendant des circonstances exceptionnelles déclarées et ne donnent lieu à aucun remboursement.
}
summary-standard-missed = Cible manquée : { $service }, « { $policy } » : { $met } dossiers sur { $closed } l’ont respectée ({ $compliance }), pour une cible de { $target }.
summary-standards-kept = Chaque norme de service ayant des dossiers fermés a atteint sa cible.
summary-equity = Plus grands écarts d'équité
summary-equity-gap = { $service }, { $dimension } : { $of ->
    [timeliness] { $low } { $low_group } ont vu leur dossier fermé dans le délai de la norme, contre { $high } { $high_group }
   *[satisfaction] { $low } { $low_group } étaient satisfaits, contre { $high } { $high_group }
} (un écart de { $gap }).
summary-equity-none = Aucun écart d'équité n'a pu être mesuré : aucun groupe n'avait assez de réponses.
summary-interventions = Interventions
summary-intervention = { $name } ({ $service }, à partir du { $date }) : { $description }
intervention-finding = { $dimension } : { $verdict ->
    [improved] amélioration
   *[worsened] recul
}, { $before } avant et { $after } après ({ $change }). { $did ->
    [improved] Les pairs sans ce changement ont varié de { $peers } ; l’écart, { $difference }, est favorable au changement.
    [worsened] Les pairs sans ce changement ont varié de { $peers } ; l’écart, { $difference }, est défavorable au changement.
    [no_clear_change] Les pairs sans ce changement ont varié de { $peers } ; l’écart, { $difference }, reste dans son incertitude : le changement n’en est pas démontré comme la cause.
    [no_peers] Le service n’a aucun pair avec lequel comparer.
   *[none] Aucun service pair sans ce changement n’avait assez de données pour comparer.
}
intervention-no-clear-change = aucun chiffre n'a changé de plus que son incertitude
intervention-too-thin = trop peu d'observations avant ou après pour juger
intervention-too-early = trop tôt pour évaluer
summary-interventions-none = Aucune intervention n'est entrée en vigueur avant la fin de la période.

matrix-caption = Les chiffres de chaque service pour la période : valeur, observations, intervalle à 95 %, cible, référence des pairs, période précédente et état.
matrix-empty = La matrice n'a aucun chiffre pour cette période.
col-service = Service
col-dimension = Chiffre
col-value = Valeur
col-n = Observations
col-interval = Intervalle à 95 %
col-target = Cible
col-peers = Pairs
col-previous = Précédent
col-status = État
col-standard = Norme
col-closed = Fermés
col-met = Respectés
col-compliance = Conformité
col-p90 = Délai au 90e centile
col-breached = Manqués
col-refunds = Remboursements dus
col-start = Début
col-definition = Définition
col-unit = Unité
withheld = supprimé

status-green = ✓ cible atteinte
status-amber = ◐ proche de la cible
status-red = ✗ cible manquée
status-insufficient_data = supprimé : trop peu d'observations
status-no_reference = ni cible ni pairs
status-info = à titre d'information
status-not_available = sans objet

guarantees-caption = Le respect de chaque norme de service pour les dossiers fermés pendant la période.
guarantees-none = Aucun service de ce rapport n'a de norme de service.

service-facts = Service offert par le { $jurisdiction }. { $peer_count ->
    [0] Il n’a aucun service pair dans ce catalogue.
   *[other] Comparé à ses pairs : { $peers }.
}
service-all-withheld = Chaque chiffre de ce service repose sur moins de { $k } observations et est supprimé.
service-trends = Tendances
service-standards = Normes de service
service-volumes = Volumes et modes de prestation
service-equity = Équité
service-feedback-timing = Rétroaction et délais
service-feedback-timing-text = Parmi les répondants dont le dossier a respecté la norme, { $met } étaient satisfaits (4 ou 5) ; parmi ceux dont le dossier l'a manquée, { $breached }.
service-feedback-timing-none = Trop peu de réponses sont liées à des dossiers fermés pour comparer la satisfaction selon les délais.
service-no-standard = Ce service n'a pas de norme de service.

chart-title = { $dimension } par { $bucket ->
    [week] semaine
    [day] jour
   *[month] mois
}
chart-desc = { $service }, { $dimension } : { $shown } périodes sur { $buckets } ont assez d'observations ; la première valeur présentée est { $first } et la dernière { $last }. { $target } { $peers }
chart-desc-target = La cible est de { $target }.
chart-desc-no-target = Il n'y a pas de cible.
chart-desc-peers = La médiane des pairs est tracée là où ils ont assez d'observations.
chart-desc-no-peers = Aucun pair n'a assez d'observations.
chart-desc-empty = { $service }, { $dimension } : aucune période n'avait assez d'observations pour présenter un chiffre.
chart-legend-service = Ce service
chart-legend-peers = Médiane des pairs
chart-legend-target = Cible
chart-table-caption = Les chiffres du graphique « { $title } ».

method-definitions = Définitions
method-definitions-caption = Ce que mesure chaque chiffre de la matrice.
method-suppression-heading = Suppression
method-suppression = Un chiffre qui repose sur moins de { $k } observations n'est pas présenté (« supprimé »), pour protéger les répondants et parce qu'il serait trompeur. Les dénombrements sont toujours présentés ; un groupe ayant trop peu de réponses n'entre jamais dans un écart d'équité.
method-intervals-heading = Intervalles et états
method-intervals = Les proportions sont accompagnées d'un intervalle de Wilson à 95 %, les moyennes d'un intervalle par approximation normale. Un chiffre atteint la cible s'il l'égale ou la dépasse (à défaut, la médiane des pairs), en est proche s'il est dans la tolérance ou si son intervalle l'atteint encore, et la manque sinon. Un chiffre qui ne peut pas avoir de sens pour un service (adoption numérique sans mode numérique, taux de réponse dont les réponses dépassent les sondages offerts) est marqué « sans objet » et n'est jamais évalué.
method-changes = Un changement n'est qualifié d'amélioration ou de recul que si son intervalle à 95 % (de Newcombe pour les proportions, normal pour les moyennes) est entièrement d'un côté de zéro ; sinon, le rapport indique qu'aucun chiffre n'a changé de plus que son incertitude.
method-freshness-heading = Actualité et exhaustivité des données
method-latest = Le plus récent événement enregistré a été reçu le { $at } ({ $zone }).
method-latest-none = Aucun événement n'est encore enregistré.
method-lag = { $count ->
    [0] Aucun message n'attendait d'être enregistré au moment du rapport.
    [one] Un message attendait d'être enregistré au moment du rapport.
   *[other] { $count_text } messages attendaient d'être enregistrés au moment du rapport.
}
method-lag-unknown = Le nombre de messages en attente d’enregistrement n’est pas connu : { $why ->
    [not_configured] aucun serveur de surveillance n’est configuré pour les rapports
    [no_answer] le serveur de surveillance n’a pas répondu au moment de produire le rapport
   *[not_recorded] la surveillance ne conserve aucune donnée de la chaîne de traitement pour la période
}.
method-completeness = Pendant la période, { $dead } messages ont été mis de côté comme illisibles et la passerelle a refusé { $rejected } événements, selon la surveillance.
method-completeness-unknown = Le nombre de messages mis de côté comme illisibles et d’événements refusés par la passerelle pendant la période n’est pas connu : { $why ->
    [not_configured] aucun serveur de surveillance n’est configuré pour les rapports
    [no_answer] le serveur de surveillance n’a pas répondu au moment de produire le rapport
   *[not_recorded] la surveillance ne conserve aucune donnée de la chaîne de traitement pour la période
}.
method-open-data = Les mêmes chiffres sont publiés en données ouvertes à côté de cette page : report.json, matrix.csv et sla.csv, décrits par csv-metadata.json (CSV on the Web du W3C).

unit-count = dénombrement
unit-share = proportion (0–1)
unit-mean = moyenne des réponses de 1 à 5
unit-days = l’unité de la norme (jours ouvrables sauf indication contraire)
unit-money = montant par transaction, dans la devise du coût inscrit au catalogue
unit-gap = écart de proportions

question-satisfaction = satisfaction générale
question-trust = confiance
question-need_met = besoin comblé
question-ease = facilité
question-time_reasonable = délai raisonnable
question-fair = traitement équitable
question-helpful_staff = personnel serviable

dim-mean = Réponse moyenne : { $question }
dim-top2 = Proportion satisfaite : { $question }
def-mean = La moyenne des réponses de 1 à 5 à la question { $question }.
def-top2 = La proportion de réponses de 4 ou 5 à la question { $question }.
dim-transactions = Transactions
def-transactions = Les interactions de service déclarées comme transactions pendant la période (une visite, un appel, une session en ligne) ; les demandes des systèmes de dossiers sont comptées à part, par le taux d’achèvement.
dim-surveys_offered = Sondages offerts
def-surveys_offered = Les transactions après lesquelles un sondage a été offert.
dim-responses = Réponses
def-responses = Les réponses au sondage reçues pendant la période.
dim-response_rate = Taux de réponse
def-response_rate = Les réponses divisées par les sondages offerts ; non évalué quand les réponses dépassent les offres enregistrées.
dim-completion_rate = Taux d'achèvement
def-completion_rate = Les décisions rendues divisées par les demandes reçues pendant la période, telles que les systèmes de dossiers les déclarent (un ratio de flux, pas une cohorte) ; non évalué lorsque les décisions dépassent les demandes.
dim-digital_take_up = Adoption numérique
def-digital_take_up = La proportion des transactions faites en ligne ou dans une application ; sans objet pour un service sans mode numérique.
dim-sla_compliance = Norme respectée
def-sla_compliance = La proportion des dossiers fermés pendant la période qui ont respecté leur norme de service.
dim-sla_p90_elapsed_days = Délai au 90e centile
def-sla_p90_elapsed_days = Neuf dossiers fermés sur dix pendant la période ont pris au plus ce délai, compté dans l’unité de la norme du service (jours ouvrables ou civils, ou heures ouvrables).
dim-error_rework_share = Erreurs et reprises
def-error_rework_share = La proportion des décisions enregistrées comme une erreur ou à reprendre.
dim-equity_gap_satisfaction = Écart d'équité, satisfaction
def-equity_gap_satisfaction = Le plus grand écart de proportion satisfaite entre groupes de répondants (âge, handicap, langue, région) ayant assez de réponses.
dim-equity_gap_timeliness = Écart d'équité, délais
def-equity_gap_timeliness = Le plus grand écart de la proportion de dossiers respectant leur norme entre groupes de répondants.
dim-satisfaction_when_met = Satisfaction quand le délai est respecté
def-satisfaction_when_met = La proportion satisfaite des répondants dont le dossier a respecté sa norme.
dim-satisfaction_when_breached = Satisfaction quand le délai est manqué
def-satisfaction_when_breached = La proportion satisfaite des répondants dont le dossier a manqué sa norme.
dim-cost_per_transaction = Coût par transaction
def-cost_per_transaction = Le coût de prestation du service pour la période (selon le catalogue) divisé par ses transactions ; non disponible si aucun coût ne couvre exactement la période.
dim-theme-share = Commentaires sur « { $theme } »
dim-theme-family = Commentaires sur un thème
def-theme-share = La proportion des commentaires lus pendant la période qui portent sur le thème (ou l'un de ses sous-thèmes), selon la lecture du modèle de thèmes. Un thème n'a pas de cible : il est comparé à la période précédente du service, une hausse (une baisse, pour les éloges) au-delà de son intervalle à 95 % étant en rouge.

summary-standard-near = Proche de la cible : { $service }, « { $policy } » : { $met } dossiers sur { $closed } l’ont respectée ({ $compliance }), pour une cible de { $target }, dans la tolérance ou l’incertitude de la cible.
summary-standards-withheld = { $count ->
    [one] Une norme a fermé moins de { $k } dossiers ; ses chiffres sont supprimés et ne sont pas comptés ci-dessus.
   *[other] { $count_text } normes ont fermé chacune moins de { $k } dossiers ; leurs chiffres sont supprimés et ne sont pas comptés ci-dessus.
}
elapsed = { $value } { $unit ->
    [business_days] { $count ->
        [one] jour ouvrable
       *[other] jours ouvrables
    }
    [calendar_days] { $count ->
        [one] jour
       *[other] jours
    }
    [business_hours] { $count ->
        [one] heure ouvrable
       *[other] heures ouvrables
    }
    [business_minutes] { $count ->
        [one] minute ouvrable
       *[other] minutes ouvrables
    }
   *[mixed] (options comptées en unités différentes)
}
scorecard-caption = Tableau de bord : les chiffres de chaque service qui manquent leur cible ou en sont proches (ou, sans cible, la médiane de leurs pairs ; pour les commentaires sur un thème, la période précédente), avec le nombre d’observations sur lequel ils reposent.
col-off-target = Cible manquée
col-near-target = Proche de la cible
scorecard-unjudged = aucun chiffre évalué
scorecard-figure-target = { $dimension } { $value } pour une cible de { $reference } ({ $n } observations)
scorecard-figure-peers = { $dimension } { $value } pour une médiane des pairs de { $reference } ({ $n } observations)
scorecard-figure-alone = { $dimension } { $value } ({ $n } observations)
scorecard-figure-previous = { $dimension } { $value } pour { $reference } à la période précédente ({ $n } commentaires)
summary-equity-gap-note = { $service } : { $dimension }, un écart de { $gap } ({ $note }).
group-age_band-under_18 = des répondants de moins de 18 ans
group-age_band-18_24 = des répondants de 18 à 24 ans
group-age_band-25_34 = des répondants de 25 à 34 ans
group-age_band-35_44 = des répondants de 35 à 44 ans
group-age_band-45_54 = des répondants de 45 à 54 ans
group-age_band-55_64 = des répondants de 55 à 64 ans
group-age_band-65_74 = des répondants de 65 à 74 ans
group-age_band-75_plus = des répondants de 75 ans et plus
group-disability-yes = des répondants ayant une incapacité
group-disability-no = des répondants sans incapacité
group-language = des répondants servis en { $language }
group-region = des répondants de la région { $region }
language-en = anglais
language-fr = français
intervention-caveat = Un changement entre avant et après une date n’est pas à lui seul l’effet de l’intervention : tout ce qui a changé en même temps (une hausse de la demande, une saison) le fait aussi varier. La variation des services pairs sans l’intervention est le meilleur guide lorsqu’ils ont des données.
summary-incomplete = { $period ->
    [this_period] Les données de { $services } commencent le { $date }, après le début de la période : { $count ->
        [one] ses chiffres ne couvrent qu’une partie de la période et ne sont pas comparés
       *[other] leurs chiffres ne couvrent qu’une partie de la période et ne sont pas comparés
    } aux périodes antérieures.
    [previous_period] Les données de { $services } commencent le { $date } : la période précédente est incomplète et n’est pas utilisée pour la comparaison.
   *[same_period_last_year] Les données de { $services } commencent le { $date } : la même période l’an dernier est incomplète et n’est pas utilisée pour la comparaison.
}
# Date de référence des données et révisions (`crate::revision`).
cut-off = Données arrêtées au { $at } ({ $zone }). Ces chiffres comptent les événements enregistrés à ce moment ; les événements reçus plus tard, même datés de la période, n'y figurent pas. S'ils modifient un chiffre, le rapport est publié de nouveau, en nouvelle révision, à côté de celle-ci.
revision-heading = Révision { $number }
revision-intro = Ceci est la révision { $number } de ce rapport, publiée le { $published } ({ $zone }) avec les données arrêtées au { $cut_off } ({ $zone }). Elle remplace la révision { $previous }, publiée le { $previous_published } ({ $zone }) avec les données arrêtées au { $previous_cut_off } ({ $zone }) : des événements reçus depuis ont modifié { $count ->
    [one] un chiffre
   *[other] { $count_text } chiffres
}. Les révisions précédentes restent publiées telles quelles.
revision-changes = Ce qui a changé
revision-change = { $service }, { $figure } — { $fields }.
revision-change-field = { $field } { $old } → { $new }
revision-added = { $service }, { $figure } — nouveau dans cette révision.
revision-removed = { $service }, { $figure } — ne figure plus dans cette révision.
revision-others = { $count ->
    [one] Un autre chiffre a changé
   *[other] { $count_text } autres chiffres ont changé
} (tendances, comparaisons avec les périodes précédentes, repères des pairs, intervalles, interventions) ; changes.json, à côté de cette page, donne chaque changement avec son ancienne et sa nouvelle valeur.
revision-earlier = Révisions précédentes
revision-earlier-item = Révision { $number }, publiée le { $published } ({ $zone }), données arrêtées au { $cut_off } ({ $zone })
summary-turns = Revirements pendant la période
summary-turn = { $service } : le chiffre « { $dimension } » était de { $before } du { $from } au { $until } ({ $before_n } observations), puis de { $after } du { $since } au { $to } ({ $after_n } observations) ; le chiffre de la période, { $whole }, masque ce revirement.
status-no-observation = aucune observation
summary-changes-incomplete = Aucune période antérieure n’a de données complètes pour comparer (voir ci-dessous).
service-feedback-timing-met-only = Parmi les répondants dont le dossier a respecté la norme, { $met } étaient satisfaits (4 ou 5) ; trop peu avaient un dossier en retard pour comparer.
service-volumes-caption = L’utilisation du service, et par quels modes de prestation.
service-equity-caption = Les plus grands écarts entre groupes de répondants.
zone-time = heure de { $city }
period-months = de { $first } à { $last }

service-themes = Ce que les gens ont écrit
service-themes-none = Aucun commentaire sur ce service n'a été analysé au cours de la période.
service-themes-intro = { $comments ->
    [one] 1 commentaire a été analysé
   *[other] { $comments_text } commentaires ont été analysés
} au cours de la période. Les thèmes les plus mentionnés :
service-themes-intro-unnamed = { $comments ->
    [one] 1 commentaire a été analysé
   *[other] { $comments_text } commentaires ont été analysés
} au cours de la période ; aucun ne relevait d'un thème de la taxonomie.
service-themes-share = { $theme } : { $share } des commentaires analysés ({ $mentions ->
    [one] 1 commentaire
   *[other] { $mentions_text } commentaires
})
service-themes-withheld = { $theme } : { $mentions ->
    [one] 1 commentaire
   *[other] { $mentions_text } commentaires
} (trop peu de commentaires pour publier un pourcentage : il en faut au moins { $k })
service-themes-emerging-heading = Enjeux émergents
service-themes-emerging-none = Aucun thème ni aucune expression n'a dépassé ce que les commentaires des 28 jours précédents laissaient attendre pour ce service.
service-themes-emerging-unchecked = Pas encore vérifié : chaque jour est comparé aux 28 jours de commentaires précédents du service, et ce service ne les a pas encore.
service-themes-emerging = Le { $day }, { $count ->
    [one] 1 commentaire a mentionné
   *[other] { $count_text } commentaires ont mentionné
} le thème « { $theme } », { $rare ->
    [yes] qui n'apparaissait presque jamais auparavant.
   *[no] contre environ { $expected } par jour d'habitude.
}
service-themes-emerging-phrase = Le { $day }, { $count ->
    [one] 1 commentaire a employé
   *[other] { $count_text } commentaires ont employé
} les mots « { $theme } », { $rare ->
    [yes] qui n'apparaissaient presque jamais auparavant.
   *[no] contre environ { $expected } par jour d'habitude.
}
service-themes-quotes = Ce que certaines personnes ont écrit au sujet du thème « { $theme } » (cités tels qu'écrits, renseignements personnels masqués automatiquement par ###) :
