#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The templates shipped in `templates/` load, cover the indicator groups of DOMAIN.md,
//! and validate the figures of real appendices the way a reviewer would.

use qcdc_core::template::{Aggregate, Template};
use qcdc_core::validate::{Narrative, Stage, parse_text_values, validate};

fn load(name: &str) -> Template {
    let path = format!("{}/../../templates/{name}", env!("CARGO_MANIFEST_DIR"));
    Template::from_toml(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn values(t: &Template, pairs: &[(&str, &str)]) -> qcdc_core::validate::Values {
    parse_text_values(
        t,
        &pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect(),
    )
    .unwrap()
}

#[test]
fn qcdc_template_covers_every_group_of_the_domain() {
    let t = load("qcdc-dinh-ky.v1.toml");
    // the README promises 74 indicators in 15 groups
    assert_eq!(t.indicators().len(), 74, "{}", t.indicators().len());
    assert_eq!(t.def.groups.len(), 15);
    // one indicator from each group listed in DOMAIN.md
    for code in [
        "vb_cap_uy",
        "kt_so_doan",
        "tt_long_ghep",
        "mc_xa_ty_le",
        "dvc_toan_trinh",
        "chi_so_hai_long",
        "hs_qua_han",
        "hn_cq_ty_le",
        "tcd_bi_thu",
        "tcd_vu_viec",
        "dt_to_cao",
        "dt_vu_cu",
        "dt_dong_nguoi",
        "dth_cuoc",
        "mt_phan_bien",
        "ttnd_cuoc",
        "gsdt_cong_trinh",
        "dvk_ca_nhan",
        "dn_thoa_uoc",
        "dn_hoi_nghi_nld",
        "dn_doi_thoai",
        "xh_ty_le_ho_ngheo",
        "xh_ty_le_bhyt",
        "xh_ty_le_ntm",
    ] {
        assert!(t.indicator(code).is_some(), "missing {code}");
    }
    assert_eq!(
        t.sections()
            .iter()
            .map(|s| s.number.as_str())
            .collect::<Vec<_>>()[..6],
        ["I", "II.1", "II.2", "II.3", "II.4", "III.1"]
    );
    for units in [
        "văn bản",
        "cuộc",
        "lượt",
        "người",
        "đơn",
        "vụ việc",
        "hồ sơ",
        "%",
    ] {
        assert!(t.indicators().iter().any(|i| i.unit == units), "{units}");
    }
    assert!(
        t.indicators()
            .iter()
            .any(|i| i.aggregate == Aggregate::None)
    );
}

#[test]
fn dong_ha_appendix_passes_and_its_slips_would_not() {
    let t = load("qcdc-dinh-ky.v1.toml");
    // Đông Hà 2020: 41 văn bản = 20 + 05 + 16; 9 hội nghị = 0 + 9; 9/9 phường; 57/57.
    let v = values(
        &t,
        &[
            ("vb_tong", "41"),
            ("vb_cap_uy", "20"),
            ("vb_chinh_quyen", "05"),
            ("vb_bcd", "16"),
            ("kt_so_doan", "03"),
            ("kt_don_vi", "09"),
            ("tt_hoi_nghi", "9"),
            ("tt_rieng", "0"),
            ("tt_long_ghep", "9"),
            ("mc_xa_tong", "9"),
            ("mc_xa_ap_dung", "9"),
            ("mc_xa_ty_le", "100"),
            ("hn_cq_tong", "57"),
            ("hn_cq_da_to_chuc", "57"),
            ("hn_cq_ty_le", "100"),
            ("xh_ty_le_ho_ngheo", "1,98"),
            ("dn_tong", "885"),
            ("dn_thoa_uoc", "834"),
            ("dn_ty_le_thoa_uoc", "94,2"),
        ],
    );
    assert_eq!(
        validate(&t, &v, &Narrative::new(), Stage::Draft)
            .into_iter()
            .filter(|f| f.rule != "muc_bat_buoc")
            .collect::<Vec<_>>(),
        vec![]
    );
    // Đam Rông 2022: 138/157 vụ việc (87,8%) — the stated percentage is wrong.
    let v = values(
        &t,
        &[
            ("dt_thuoc_tham_quyen", "157"),
            ("dt_da_giai_quyet", "138"),
            ("dt_ty_le_giai_quyet", "87,8"),
        ],
    );
    let f = validate(&t, &v, &Narrative::new(), Stage::Draft);
    assert!(
        f.iter().any(|f| f.rule == "dt_ty_le_giai_quyet.khop_ty_le"),
        "{f:?}"
    );
    // 48.231 received − 45.964 resolved leaves 2.267, not 2.537.
    let v = values(
        &t,
        &[
            ("hs_tiep_nhan", "48.231"),
            ("hs_da_giai_quyet", "45.964"),
            ("hs_dang_giai_quyet", "2.537"),
        ],
    );
    assert!(
        validate(&t, &v, &Narrative::new(), Stage::Draft)
            .iter()
            .any(|f| f.rule == "hs_con_lai")
    );
}

#[test]
fn ha_long_appendix_figures_validate() {
    let t = load("dan-van-chinh-quyen.v1.toml");
    // the README promises 42 indicators in 8 groups
    assert_eq!(t.indicators().len(), 42);
    assert_eq!(t.def.groups.len(), 8);
    // 113/149 = 75,84 %; 03/03 = 100 %; 10/12 = 83,33 %; 92 lượt (151 người).
    let v = values(
        &t,
        &[
            ("kn_tiep_nhan", "149"),
            ("kn_da_giai_quyet", "113"),
            ("kn_ty_le", "75,84"),
            ("tc_tiep_nhan", "03"),
            ("tc_da_giai_quyet", "03"),
            ("tc_ty_le", "100"),
            ("xh_xa_tong", "12"),
            ("xh_xa_ntm", "10"),
            ("xh_ty_le_ntm", "83,33"),
            ("tcd_chu_tich_luot", "92"),
            ("tcd_chu_tich_nguoi", "151"),
            ("ht_kinh_phi", "19.447,3"),
            ("ht_nguoi_co_cong", "4.450"),
            ("ht_bao_tro", "7.384"),
            ("ht_ngheo", "1.453,5"),
            ("ht_lao_dong", "6.159,8"),
        ],
    );
    let f: Vec<_> = validate(&t, &v, &Narrative::new(), Stage::Draft)
        .into_iter()
        .filter(|f| f.rule != "muc_bat_buoc")
        .collect();
    assert_eq!(f, vec![]);
    // The appendix states a total of 22.075 triệu đồng, which its parts do not make.
    let v = values(
        &t,
        &[
            ("ht_kinh_phi", "22.075"),
            ("ht_nguoi_co_cong", "4.450"),
            ("ht_bao_tro", "7.384"),
            ("ht_ngheo", "1.453,5"),
            ("ht_lao_dong", "6.159,8"),
        ],
    );
    assert!(
        validate(&t, &v, &Narrative::new(), Stage::Draft)
            .iter()
            .any(|f| f.rule == "ht_kinh_phi.tong_thanh_phan")
    );
}

/// Version 2 of the periodic template: the enterprise attributes overlap, so the
/// real figures of a province (885 enterprises, 834 with a union, 558 with a
/// collective agreement, 812 holding a workers' conference) are a correct report;
/// version 1 refused them.
#[test]
fn enterprise_attributes_overlap_in_version_2() {
    let pairs = [
        ("dn_tong", "885"),
        ("dn_cong_doan", "834"),
        ("dn_thoa_uoc", "558"),
        ("dn_hoi_nghi_nld", "812"),
        ("dn_doi_thoai", "790"),
    ];
    let v1 = load("qcdc-dinh-ky.v1.toml");
    let blocking = |t: &Template, v| {
        validate(t, v, &Narrative::new(), Stage::Draft)
            .into_iter()
            .filter(|f| f.severity == qcdc_core::template::Severity::Error)
            .map(|f| f.rule)
            .collect::<Vec<_>>()
    };
    let figures = values(&v1, &pairs);
    assert!(!blocking(&v1, &figures).is_empty());
    let v2 = load("qcdc-dinh-ky.v2.toml");
    let figures = values(&v2, &pairs);
    assert_eq!(blocking(&v2, &figures), Vec::<String>::new());
    // each attribute is still at most the whole
    let over = values(&v2, &[("dn_tong", "885"), ("dn_cong_doan", "886")]);
    assert!(!blocking(&v2, &over).is_empty());
}

/// A unit sees the part of the form that applies to its kind; the consolidating
/// levels see all of it; a figure for a group that does not apply is refused.
#[test]
fn units_see_only_the_groups_of_their_kind() {
    use qcdc_core::unit::UnitKind;
    use qcdc_core::validate::validate_for;
    for name in ["qcdc-dinh-ky.v2.toml", "dan-van-chinh-quyen.v2.toml"] {
        let t = load(name);
        let all = t.indicators().len();
        assert_eq!(t.indicators_for(UnitKind::Province).count(), all, "{name}");
        let commune = t.indicators_for(UnitKind::Commune).count();
        let enterprise = t.indicators_for(UnitKind::Enterprise).count();
        assert!(
            commune <= all && enterprise < commune,
            "{name}: {commune} {enterprise} of {all}"
        );
        // every indicator is reported by some kind below the province
        for i in t.indicators() {
            assert!(
                [
                    UnitKind::Commune,
                    UnitKind::Agency,
                    UnitKind::Enterprise,
                    UnitKind::MassOrg,
                    UnitKind::PublicService
                ]
                .iter()
                .any(|k| t.applies(i, *k)),
                "{name}: nobody reports {}",
                i.code
            );
        }
    }
    let t = load("qcdc-dinh-ky.v2.toml");
    let ent = |c: &str| t.applies(t.indicator(c).unwrap(), UnitKind::Enterprise);
    assert!(ent("dn_tong") && ent("vb_tong") && !ent("tcd_luot") && !ent("hu_xay_dung"));
    assert!(t.applies(t.indicator("mc_cq_tong").unwrap(), UnitKind::Agency));
    assert!(!t.applies(t.indicator("mc_cq_tong").unwrap(), UnitKind::Ward));
    let v = values(&t, &[("tcd_luot", "12")]);
    let f = validate_for(
        &t,
        Some(UnitKind::Enterprise),
        &v,
        &Narrative::new(),
        Stage::Draft,
    );
    assert!(f.iter().any(|f| f.rule == "khong_ap_dung"), "{f:?}");
    let f = validate_for(
        &t,
        Some(UnitKind::Ward),
        &v,
        &Narrative::new(),
        Stage::Draft,
    );
    assert!(!f.iter().any(|f| f.rule == "khong_ap_dung"), "{f:?}");
}

/// A ratio left empty is computed from its parts, so a required ratio is satisfied
/// by its numerator and denominator.
#[test]
fn a_ratio_is_computed_not_required() {
    let t = load("qcdc-dinh-ky.v2.toml");
    let v = values(&t, &[("dn_tong", "885"), ("dn_thoa_uoc", "834")]);
    assert_eq!(
        qcdc_core::validate::computed_ratio(&t, &v, "dn_ty_le_thoa_uoc")
            .map(|r| (r * 10.0).round() / 10.0),
        Some(94.2)
    );
}

/// A count typed with a decimal part is refused quoting what was typed; an amount
/// keeps its decimals exactly.
#[test]
fn counts_refuse_decimals_and_amounts_keep_them() {
    let t = load("qcdc-dinh-ky.v2.toml");
    let e =
        parse_text_values(&t, &[("tcd_luot".to_string(), "12,5".to_string())].into()).unwrap_err();
    assert!(e.problems[0].message.contains("12,5"), "{:?}", e.problems);
    let e =
        parse_text_values(&t, &[("tcd_luot".to_string(), "1,234".to_string())].into()).unwrap_err();
    assert!(e.problems[0].message.contains("1.234"), "{:?}", e.problems);
    let t = load("dan-van-chinh-quyen.v2.toml");
    let v = values(&t, &[("ht_ngheo", "1.453,5")]);
    assert_eq!(v["ht_ngheo"], 1_453_500);
}

/// Version 3 of both shipped templates is version 2 with a `source` on every
/// indicator the registers can count: the same form, validated the same way.
#[test]
fn version_3_adds_sources_and_nothing_else() {
    for (name, counted) in [
        (
            "qcdc-dinh-ky",
            &[
                "kt_so_doan",
                "tcd_luot",
                "tcd_nguoi",
                "tcd_bi_thu",
                "tcd_chu_tich",
                "dt_tiep_nhan",
                "dt_khieu_nai",
                "dt_to_cao",
                "dt_kien_nghi",
                "dt_da_giai_quyet",
                "dth_cuoc",
                "dvk_mo_hinh",
            ][..],
        ),
        (
            "dan-van-chinh-quyen",
            &[
                "kt_so_doan",
                "tcd_bi_thu_luot",
                "tcd_chu_tich_luot",
                "tcd_chu_tich_nguoi",
                "kn_tiep_nhan",
                "kn_da_giai_quyet",
                "tc_tiep_nhan",
                "tc_da_giai_quyet",
                "mt_giam_sat_cuoc",
            ][..],
        ),
    ] {
        let v2 = load(&format!("{name}.v2.toml"));
        let v3 = load(&format!("{name}.v3.toml"));
        assert_eq!((v2.def.version, v3.def.version), (2, 3));
        assert!(v2.indicators().iter().all(|i| i.source.is_none()));
        let with: Vec<&str> = v3
            .indicators()
            .iter()
            .filter(|i| i.source.is_some())
            .map(|i| i.code.as_str())
            .collect();
        assert_eq!(with, counted, "{name}");
        // apart from the sources, the same indicators, groups, sections and rules
        let strip = |t: &Template| {
            t.indicators()
                .iter()
                .map(|i| {
                    let mut i = i.clone();
                    i.source = None;
                    format!("{i:?}")
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(strip(&v2), strip(&v3), "{name}");
        assert_eq!(v2.sections().len(), v3.sections().len());
        assert_eq!(format!("{:?}", v2.def.rules), format!("{:?}", v3.def.rules));
    }
    // figures that pass version 2 pass version 3
    let v3 = load("qcdc-dinh-ky.v3.toml");
    let f = values(
        &v3,
        &[
            ("tcd_luot", "198"),
            ("tcd_nguoi", "221"),
            ("dt_tiep_nhan", "5"),
            ("dt_khieu_nai", "2"),
            ("dt_to_cao", "1"),
            ("dt_kien_nghi", "2"),
        ],
    );
    let findings = validate(&v3, &f, &Narrative::new(), Stage::Draft);
    assert!(
        findings
            .iter()
            .all(|x| x.severity != qcdc_core::template::Severity::Error),
        "{findings:?}"
    );
}
