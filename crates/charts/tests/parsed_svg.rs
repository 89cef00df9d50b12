//! The charts read back with an XML parser, as a browser or an assistive technology would see them:
//! well-formed, every reference resolving, one keyboard stop per bar named with its formatted
//! amount, users' text escaped, and bar lengths and target markers where the numbers put them.

use charts::pipeline_by_stage::{PipelineByStage, StageValue};
use charts::target_progress::{SquadProgress, TargetProgress};
use charts::weighted_forecast::{ForecastRow, WeightedForecast};
use charts::{Decimal, Frame};
use domain::Locale;
use roxmltree::{Document, Node};

fn frame(locale: Locale) -> Frame {
    let (title, empty) = match locale {
        Locale::PtBr => ("Pipeline por etapa", "Sem dados no período"),
        Locale::En => ("Pipeline by stage", "No data for this period"),
    };
    Frame {
        title: title.into(),
        description: "Valor em aberto de cada etapa".into(),
        empty_message: empty.into(),
        currency: "BRL".into(),
        locale,
    }
}

fn money(value: &str) -> Decimal {
    value.parse().expect("a decimal literal")
}

fn squad(label: &str, won: &str, target: Option<&str>) -> SquadProgress {
    SquadProgress {
        label: label.into(),
        won: money(won),
        target: target.map(money),
    }
}

fn targets(locale: Locale, squads: Vec<SquadProgress>) -> String {
    charts::target_progress::render(&TargetProgress {
        frame: frame(locale),
        target_word: "meta".into(),
        squads,
    })
}

fn stage(label: &str, open_value: &str) -> StageValue {
    StageValue {
        label: label.into(),
        open_value: money(open_value),
        deals: None,
    }
}

fn pipeline(locale: Locale, stages: Vec<StageValue>) -> String {
    charts::pipeline_by_stage::render(&PipelineByStage {
        frame: frame(locale),
        stages,
    })
}

fn forecast(locale: Locale, rows: Vec<ForecastRow>) -> String {
    charts::weighted_forecast::render(&WeightedForecast {
        frame: frame(locale),
        open_word: "Em aberto".into(),
        weighted_word: "Ponderado".into(),
        rows,
    })
}

/// Parses the chart and checks what every chart must satisfy: an `<svg>` root that scales with
/// its container and is named by its own `<title>` and `<desc>`, no ids (two charts on a page must
/// not take each other's names), and no inline CSS (which the pages' `style-src 'self'` blocks).
fn parse(svg: &str) -> Document<'_> {
    let doc = Document::parse(svg).unwrap_or_else(|err| panic!("not well-formed: {err}\n{svg}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(root.attribute("width"), Some("100%"));
    assert!(root.attribute("viewBox").is_some());
    let children: Vec<&str> = root
        .children()
        .filter(Node::is_element)
        .take(2)
        .map(|n| n.tag_name().name())
        .collect();
    assert_eq!(children, ["title", "desc"]);
    for node in doc.descendants().filter(Node::is_element) {
        assert_ne!(node.tag_name().name(), "style");
        for attribute in ["style", "id", "aria-labelledby", "aria-describedby"] {
            assert!(node.attribute(attribute).is_none(), "{attribute} in {svg}");
        }
    }
    doc
}

/// The names of the keyboard stops: each is an image named by its first child, a `<title>`
/// (which is also its tooltip).
fn bar_names(doc: &Document) -> Vec<String> {
    doc.descendants()
        .filter(|n| n.attribute("tabindex") == Some("0"))
        .map(|bar| {
            assert_eq!(bar.attribute("role"), Some("img"));
            let title = bar.first_element_child().expect("a named bar");
            assert_eq!(title.tag_name().name(), "title");
            title.text().unwrap_or("").to_owned()
        })
        .collect()
}

/// What a chart is called: its root's `<title>`.
fn chart_name(doc: &Document) -> String {
    let title = doc.root_element().first_element_child().expect("a title");
    title.text().unwrap_or("").to_owned()
}

fn number(node: Node, attribute: &str) -> f64 {
    node.attribute(attribute)
        .and_then(|value| value.parse().ok())
        .unwrap_or_else(|| panic!("{attribute} is not a number"))
}

/// The `(x, width)` of every rect whose `data-part` is `part`, in document order.
fn rects(doc: &Document, part: &str) -> Vec<(f64, f64)> {
    doc.descendants()
        .filter(|n| n.attribute("data-part") == Some(part))
        .map(|rect| (number(rect, "x"), number(rect, "width")))
        .collect()
}

fn marker_xs(doc: &Document) -> Vec<f64> {
    doc.descendants()
        .filter(|n| n.attribute("data-part") == Some("target"))
        .map(|line| number(line, "x1"))
        .collect()
}

fn texts(doc: &Document) -> Vec<String> {
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or("").to_owned())
        .collect()
}

#[test]
fn each_squad_is_one_named_keyboard_stop_with_its_amount_share_and_target_in_portuguese() {
    let svg = targets(
        Locale::PtBr,
        vec![
            squad("Norte", "1234.56", Some("2000")),
            squad("Sul", "2500", Some("2000")),
            squad("Inside", "800", None),
        ],
    );
    let doc = parse(&svg);
    let root = doc.root_element();
    assert_eq!(root.attribute("role"), Some("group"));
    assert_eq!(chart_name(&doc), "Pipeline por etapa");
    assert_eq!(
        bar_names(&doc),
        [
            "Norte: R$\u{a0}1.234,56 (62%); meta R$\u{a0}2.000,00",
            "Sul: R$\u{a0}2.500,00 (125%); meta R$\u{a0}2.000,00",
            "Inside: R$\u{a0}800,00",
        ]
    );
    let items = doc
        .descendants()
        .filter(|n| n.attribute("role") == Some("listitem"))
        .count();
    assert_eq!(items, 3);
    assert!(texts(&doc).contains(&"R$\u{a0}1.234,56 (62%)".to_owned()));
}

#[test]
fn amounts_are_written_the_english_way_for_an_english_reader() {
    let doc_text = pipeline(Locale::En, vec![stage("Proposal", "1234.56")]);
    let doc = parse(&doc_text);
    assert_eq!(bar_names(&doc), ["Proposal: R$1,234.56"]);
    assert!(texts(&doc).contains(&"R$1,234.56".to_owned()));
}

#[test]
fn the_forecast_has_two_keyboard_stops_per_row_named_with_their_series() {
    let svg = forecast(
        Locale::PtBr,
        vec![
            ForecastRow::from_probability("Proposta".into(), money("10000"), 50),
            ForecastRow::from_probability("Negociação".into(), money("4000"), 75),
        ],
    );
    let doc = parse(&svg);
    assert_eq!(
        bar_names(&doc),
        [
            "Proposta, Em aberto: R$\u{a0}10.000,00",
            "Proposta, Ponderado: R$\u{a0}5.000,00",
            "Negociação, Em aberto: R$\u{a0}4.000,00",
            "Negociação, Ponderado: R$\u{a0}3.000,00",
        ]
    );
    let open = rects(&doc, "open");
    let weighted = rects(&doc, "weighted");
    let (_, full) = rects(&doc, "track")[0];
    assert_eq!(open[0].1, full, "the largest amount fills the track");
    assert_eq!(weighted[0].1, full / 2.0);
    assert_eq!(open[1].1, full * 0.4);
    assert_eq!(weighted[1].1, full * 0.3);
    // The legend is seen, not heard: the bars' names already carry the series.
    let legend = doc
        .descendants()
        .find(|n| n.attribute("data-part") == Some("legend"))
        .expect("a legend");
    assert!(
        legend
            .ancestors()
            .any(|n| n.attribute("aria-hidden") == Some("true"))
    );
}

#[test]
fn users_text_is_escaped_in_labels_titles_and_notes_of_every_chart() {
    let hostile = "<script>alert('x')</script> & \"Co\"";
    let outputs = [
        targets(Locale::PtBr, vec![squad(hostile, "10", Some("20"))]),
        pipeline(
            Locale::PtBr,
            vec![StageValue {
                deals: Some("<b>3</b> & mais".into()),
                ..stage(hostile, "10")
            }],
        ),
        forecast(
            Locale::PtBr,
            vec![ForecastRow::from_probability(
                hostile.into(),
                money("10"),
                10,
            )],
        ),
    ];
    for svg in &outputs {
        assert!(!svg.contains("<script"), "{svg}");
        assert!(!svg.contains("<b>"), "{svg}");
        assert!(
            svg.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;Co&quot;")
        );
        let doc = parse(svg);
        assert!(doc.descendants().all(|n| !n.has_tag_name("script")));
        for name in bar_names(&doc) {
            assert!(name.starts_with(hostile), "{name}");
        }
    }
}

#[test]
fn the_chart_title_and_description_are_escaped_too() {
    let mut frame = frame(Locale::PtBr);
    frame.title = "Vendas <Q1> & Q2".into();
    frame.description = "\"quoted\"\u{0}".into();
    let svg = charts::pipeline_by_stage::render(&PipelineByStage {
        frame,
        stages: vec![stage("A", "1")],
    });
    let doc = parse(&svg);
    assert_eq!(chart_name(&doc), "Vendas <Q1> & Q2");
    let desc = doc
        .descendants()
        .find(|n| n.has_tag_name("desc"))
        .expect("desc");
    assert_eq!(desc.text(), Some("\"quoted\""));
}

#[test]
fn no_data_gives_one_image_named_by_the_title_and_the_callers_message() {
    for (locale, message) in [
        (Locale::PtBr, "Sem dados no período"),
        (Locale::En, "No data for this period"),
    ] {
        for svg in [
            targets(locale, vec![]),
            pipeline(locale, vec![]),
            forecast(locale, vec![]),
        ] {
            let doc = parse(&svg);
            let root = doc.root_element();
            assert_eq!(root.attribute("role"), Some("img"));
            let title = frame(locale).title;
            assert_eq!(chart_name(&doc), format!("{title}: {message}"));
            assert_eq!(texts(&doc), [message]);
            assert!(bar_names(&doc).is_empty());
        }
    }
}

#[test]
fn bar_lengths_are_proportional_to_the_amounts_and_the_largest_fills_its_track() {
    let svg = pipeline(
        Locale::PtBr,
        vec![
            stage("Prospecção", "40000"),
            stage("Qualificação", "10000"),
            stage("Proposta", "20000"),
            stage("Negociação", "0"),
        ],
    );
    let doc = parse(&svg);
    let tracks = rects(&doc, "track");
    let values = rects(&doc, "value");
    // "R$ 40.000,00" is 12 characters of 7 units: 400 - 2×4 margin - 8 gap - 84.
    assert_eq!(tracks[0], (4.0, 300.0));
    assert_eq!(
        values,
        [(4.0, 300.0), (4.0, 75.0), (4.0, 150.0), (4.0, 0.0)]
    );
}

#[test]
fn target_markers_sit_at_the_targets_on_the_shared_scale_and_squads_without_target_have_none() {
    let svg = targets(
        Locale::PtBr,
        vec![
            squad("Norte", "50", Some("100")),
            squad("Sul", "150", Some("200")),
            squad("Sem meta", "100", None),
            squad("Meta zero", "30", Some("0")),
        ],
    );
    let doc = parse(&svg);
    let (x, length) = rects(&doc, "track")[0];
    // The scale runs to 200, the largest of all amounts and targets.
    assert_eq!(marker_xs(&doc), [x + length / 2.0, x + length, x]);
    let values: Vec<f64> = rects(&doc, "value").iter().map(|(_, w)| *w).collect();
    assert_eq!(
        values,
        [length / 4.0, length * 0.75, length / 2.0, length * 0.15]
    );
    let names = bar_names(&doc);
    assert_eq!(
        names[3], "Meta zero: R$\u{a0}30,00; meta R$\u{a0}0,00",
        "no share of a zero target"
    );
}

#[test]
fn a_squad_that_reached_its_target_is_drawn_in_another_colour() {
    let doc_text = targets(
        Locale::PtBr,
        vec![
            squad("Batida", "200", Some("200")),
            squad("Abaixo", "199", Some("200")),
        ],
    );
    let doc = parse(&doc_text);
    let fills: Vec<&str> = doc
        .descendants()
        .filter(|n| n.attribute("data-part") == Some("value"))
        .filter_map(|n| n.attribute("fill"))
        .collect();
    assert_eq!(fills.len(), 2);
    assert_ne!(fills[0], fills[1]);
}

#[test]
fn negative_amounts_draw_no_bar_but_keep_their_number_and_an_all_zero_chart_draws_empty_tracks() {
    let doc_text = pipeline(
        Locale::PtBr,
        vec![stage("Estorno", "-500"), stage("Nada", "0")],
    );
    let doc = parse(&doc_text);
    assert_eq!(rects(&doc, "value"), [(4.0, 0.0), (4.0, 0.0)]);
    assert!(texts(&doc).contains(&"-R$\u{a0}500,00".to_owned()));
    assert_eq!(bar_names(&doc)[0], "Estorno: -R$\u{a0}500,00");
}

#[test]
fn huge_amounts_widen_the_chart_so_that_their_numbers_still_fit_beside_the_bars() {
    let doc_text = pipeline(
        Locale::PtBr,
        vec![
            stage("Tudo", &Decimal::MAX.to_string()),
            stage("Pouco", "1"),
        ],
    );
    let doc = parse(&doc_text);
    let view_box: Vec<f64> = doc
        .root_element()
        .attribute("viewBox")
        .expect("viewBox")
        .split(' ')
        .map(|n| n.parse().expect("a number"))
        .collect();
    let width = view_box[2];
    let value = format!("R$\u{a0}{}", "79.228.162.514.264.337.593.543.950.335,00");
    assert!(texts(&doc).contains(&value));
    let (x, length) = rects(&doc, "track")[0];
    assert!(
        x + length + value.chars().count() as f64 * 7.0 <= width,
        "the number overlaps the bar in a {width}-wide chart"
    );
    assert_eq!(rects(&doc, "value")[0].1, length);
}

#[test]
fn one_row_and_fifty_rows_both_render_every_row() {
    for count in [1, 50] {
        let stages = (0..count)
            .map(|i| stage(&format!("Etapa {i}"), &format!("{}", (i + 1) * 1000)))
            .collect();
        let doc_text = pipeline(Locale::PtBr, stages);
        let doc = parse(&doc_text);
        assert_eq!(bar_names(&doc).len(), count);
        let squads = (0..count)
            .map(|i| squad(&format!("Squad {i}"), "10", Some("20")))
            .collect();
        let target_text = targets(Locale::En, squads);
        assert_eq!(bar_names(&parse(&target_text)).len(), count);
        let rows = (0..count)
            .map(|i| ForecastRow::from_probability(format!("Dono {i}"), money("10"), 50))
            .collect();
        let forecast_text = forecast(Locale::PtBr, rows);
        assert_eq!(bar_names(&parse(&forecast_text)).len(), 2 * count);
    }
}

#[test]
fn a_long_label_is_cut_with_an_ellipsis_while_its_name_keeps_it_whole() {
    let long =
        "Squad Enterprise Regional Nordeste e Centro-Oeste — contas estratégicas de grande porte";
    let doc_text = pipeline(Locale::PtBr, vec![stage(long, "10")]);
    let doc = parse(&doc_text);
    let label = &texts(&doc)[0];
    assert!(label.ends_with('…'), "{label}");
    assert!(long.starts_with(label.trim_end_matches('…')));
    assert_eq!(bar_names(&doc), [format!("{long}: R$\u{a0}10,00")]);
}

#[test]
fn a_one_stage_pipeline_is_exactly_this_markup_every_time() {
    let svg = pipeline(
        Locale::PtBr,
        vec![StageValue {
            deals: Some("3 negócios".into()),
            ..stage("Proposta", "2500.5")
        }],
    );
    assert_eq!(
        svg,
        concat!(
            r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 40" width="100%" font-size="12" fill="currentColor" role="group">"##,
            r##"<title>Pipeline por etapa</title><desc>Valor em aberto de cada etapa</desc>"##,
            r##"<g role="list"><g role="listitem"><g role="img" tabindex="0" class="group focus:outline-none">"##,
            "<title>Proposta: R$\u{a0}2.500,50; 3 negócios</title>",
            r##"<rect x="1" y="1" width="398" height="36" rx="4" fill="#ffffff" fill-opacity="0" stroke="none" stroke-width="2" class="group-hover:stroke-slate-300 group-focus-visible:stroke-indigo-500"/>"##,
            r##"<text x="4" y="14" fill="currentColor">Proposta</text><text x="396" y="14" text-anchor="end" fill="#475569">3 negócios</text>"##,
            r##"<rect data-part="track" x="4" y="20" width="307" height="10" rx="2" fill="#f1f5f9"/>"##,
            r##"<rect data-part="value" x="4" y="20" width="307" height="10" rx="2" fill="#4f46e5"/>"##,
            "<text x=\"396\" y=\"29\" text-anchor=\"end\" fill=\"currentColor\">R$\u{a0}2.500,50</text>",
            "</g></g></g></svg>",
        )
    );
}
