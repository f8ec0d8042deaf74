//! Who may do what: roles per unit, scoped to the unit's subtree. Every decision
//! of qcdc about permissions is made here, with no I/O; the use-case layer loads
//! the lineages (a unit and its ancestors) these functions need.
//!
//! - reporters act on their own unit only;
//! - office, viewer and admin roles reach the whole subtree of their unit;
//! - admins administer (units, users, grants) only inside their subtree: a unit is
//!   created, changed or moved only where both its old and its new parent are in
//!   scope, a grant is given only on a unit in scope, a user is changed only when
//!   every role the user holds is in scope; templates are imported by admins of a
//!   root unit; root units and the first admin are made from the command line;
//! - registers (petitions, reception) are kept by the unit itself: its reporters
//!   and office record and see everything, its leaders see names but not who
//!   denounced, anyone above sees counts ([`register_sight`]).

use serde::{Deserialize, Serialize};

/// A role held over a unit and everything below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    /// Thường trực BCĐ / Ban Dân vận.
    Office,
    /// Cán bộ báo cáo.
    Reporter,
    /// Lãnh đạo.
    Viewer,
}

impl Role {
    pub const ALL: [Role; 4] = [Self::Admin, Self::Office, Self::Reporter, Self::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Office => "office",
            Self::Reporter => "reporter",
            Self::Viewer => "viewer",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Self::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }

    /// The Vietnamese name shown in pages.
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Admin => "Quản trị",
            Self::Office => "Thường trực",
            Self::Reporter => "Cán bộ báo cáo",
            Self::Viewer => "Lãnh đạo",
        }
    }
}

impl TryFrom<String> for Role {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Role::parse(&s).ok_or_else(|| format!("vai trò không hợp lệ «{s}»"))
    }
}

/// A role on a unit (by id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Grant {
    pub role: Role,
    pub unit_id: i64,
}

/// What is being attempted on a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Read reports, statuses and consolidations.
    View,
    /// Draft and submit the unit's own report.
    Report,
    /// Issue rounds, return, accept, consolidate, adopt.
    Manage,
    /// Units, users, grants below the unit.
    Administer,
}

/// Someone acting: a signed-in user with the roles they hold, or the local system
/// (the command line on the server, which owns the database).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Actor {
    pub user_id: i64,
    pub username: String,
    pub full_name: String,
    pub grants: Vec<Grant>,
    /// Signed in with a temporary password set by an admin: the pages send the
    /// user to change it, and nothing else is served until then.
    pub must_change_password: bool,
    /// The command line on the server: every permission, no scope.
    #[serde(skip)]
    system: bool,
}

impl Actor {
    /// A signed-in user.
    pub fn user(user_id: i64, username: String, full_name: String, grants: Vec<Grant>) -> Actor {
        Actor {
            user_id,
            username,
            full_name,
            grants,
            must_change_password: false,
            system: false,
        }
    }

    /// The local command line (written `cli:<login>` in the audit log).
    pub fn system(name: impl Into<String>) -> Actor {
        Actor {
            user_id: 0,
            username: name.into(),
            full_name: "Dòng lệnh trên máy chủ".into(),
            grants: Vec::new(),
            must_change_password: false,
            system: true,
        }
    }

    pub fn is_system(&self) -> bool {
        self.system
    }

    /// True when the actor holds `role` anywhere.
    pub fn has_role(&self, role: Role) -> bool {
        self.system || self.grants.iter().any(|g| g.role == role)
    }

    /// Units on which the actor holds one of `roles`.
    pub fn units_with(&self, roles: &[Role]) -> Vec<i64> {
        let mut v: Vec<i64> = self
            .grants
            .iter()
            .filter(|g| roles.contains(&g.role))
            .map(|g| g.unit_id)
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// May the actor do `perm` on the unit whose lineage (itself first, then its
    /// ancestors) is `lineage`?
    pub fn may(&self, perm: Permission, lineage: &[i64]) -> bool {
        self.system
            || lineage
                .first()
                .is_some_and(|&u| allowed(&self.grants, perm, u, lineage))
    }

    /// Does the actor administer the unit whose lineage is `lineage`?
    pub fn administers(&self, lineage: &[i64]) -> bool {
        self.may(Permission::Administer, lineage)
    }
}

/// Decides whether `grants` allow `perm` on a unit whose ancestors (itself
/// included) are `lineage`. Reporters act on their own unit only; office, viewer
/// and admin roles reach the whole subtree.
pub fn allowed(grants: &[Grant], perm: Permission, unit_id: i64, lineage: &[i64]) -> bool {
    grants.iter().any(|g| {
        let in_subtree = lineage.contains(&g.unit_id) || g.unit_id == unit_id;
        match (g.role, perm) {
            (Role::Admin, _) => in_subtree,
            (Role::Office, Permission::View | Permission::Manage) => in_subtree,
            (Role::Office, Permission::Report) => g.unit_id == unit_id,
            (Role::Reporter, Permission::View | Permission::Report) => g.unit_id == unit_id,
            (Role::Viewer, Permission::View) => in_subtree,
            _ => false,
        }
    })
}

/// A unit is created, changed or moved only where its old parent (None for a new
/// unit) and its new parent are both administered by the actor. Making or changing
/// a root unit (no parent) is for the command line only.
pub fn may_place_unit(
    actor: &Actor,
    existed_under: Option<Option<&[i64]>>,
    new_parent: Option<&[i64]>,
) -> bool {
    if actor.system {
        return true;
    }
    let old_ok = match existed_under {
        None => true,        // a new unit
        Some(None) => false, // an existing root
        Some(Some(l)) => actor.administers(l),
    };
    old_ok && new_parent.is_some_and(|l| actor.administers(l))
}

/// A role is granted (or taken away) only on a unit the actor administers, so an
/// admin can never give a role above its own scope.
pub fn may_grant(actor: &Actor, unit_lineage: &[i64]) -> bool {
    actor.administers(unit_lineage)
}

/// A user is changed (disabled, password reset, shown in full) only when every role
/// the user holds lies in the actor's scope; a user holding no role at all belongs
/// to the admins of root units.
pub fn may_administer_user(
    actor: &Actor,
    user_grant_lineages: &[Vec<i64>],
    actor_is_root_admin: bool,
) -> bool {
    if actor.system {
        return true;
    }
    if user_grant_lineages.is_empty() {
        return actor_is_root_admin;
    }
    user_grant_lineages.iter().all(|l| actor.administers(l))
}

/// Templates serve every unit, so only the admins of a root unit import them.
pub fn may_import_template(actor: &Actor, is_root: impl Fn(i64) -> bool) -> bool {
    actor.system
        || actor
            .grants
            .iter()
            .any(|g| g.role == Role::Admin && is_root(g.unit_id))
}

/// How much of a unit's registers (petitions, reception, …) an actor sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RegisterSight {
    /// Nothing: the unit is out of scope.
    None,
    /// Counts, dates, states and deadlines — no petitioner's name, no content
    /// (offices and leaders above the unit, admins).
    Counts,
    /// Everything but who denounced (the unit's leaders, who do not process
    /// denunciations themselves).
    Names,
    /// Everything, the identity of denouncers included: those who process the
    /// unit's petitions (its reporters and office) and the command line.
    Protected,
}

impl RegisterSight {
    /// Whether the petitioners of a petition of this kind may be shown.
    pub fn shows_petitioners(self, protected_identity: bool) -> bool {
        if protected_identity {
            self == Self::Protected
        } else {
            self >= Self::Names
        }
    }
}

/// What the actor sees of the registers of the unit whose lineage is `lineage`:
/// the unit's reporters and office process its petitions and see everything; its
/// viewers (leaders) see names but not denouncers; anyone else who may view the
/// unit (offices, leaders and admins above, the unit's admins) sees counts.
pub fn register_sight(actor: &Actor, lineage: &[i64]) -> RegisterSight {
    if actor.system {
        return RegisterSight::Protected;
    }
    let Some(&unit) = lineage.first() else {
        return RegisterSight::None;
    };
    let on_unit = |roles: &[Role]| {
        actor
            .grants
            .iter()
            .any(|g| g.unit_id == unit && roles.contains(&g.role))
    };
    if on_unit(&[Role::Reporter, Role::Office]) {
        RegisterSight::Protected
    } else if on_unit(&[Role::Viewer]) {
        RegisterSight::Names
    } else if actor.may(Permission::View, lineage) {
        RegisterSight::Counts
    } else {
        RegisterSight::None
    }
}

/// Registers are kept by the unit itself: its reporters and office record in
/// them (admins administer, offices above read counts).
pub fn may_record_register(actor: &Actor, lineage: &[i64]) -> bool {
    register_sight(actor, lineage) == RegisterSight::Protected
}

/// The holiday calendar serves every unit: only the admins of a root unit edit it.
pub fn may_edit_calendar(actor: &Actor, is_root: impl Fn(i64) -> bool) -> bool {
    may_import_template(actor, is_root)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, unit: i64) -> Actor {
        Actor::user(
            1,
            "u".into(),
            "U".into(),
            vec![Grant {
                role,
                unit_id: unit,
            }],
        )
    }

    #[test]
    fn scopes() {
        // province 1 > commune 2; commune 3 elsewhere
        let office = [Grant {
            role: Role::Office,
            unit_id: 1,
        }];
        let reporter = [Grant {
            role: Role::Reporter,
            unit_id: 2,
        }];
        let viewer = [Grant {
            role: Role::Viewer,
            unit_id: 1,
        }];
        assert!(allowed(&office, Permission::Manage, 2, &[2, 1]));
        assert!(!allowed(&office, Permission::Manage, 3, &[3, 9]));
        assert!(!allowed(&office, Permission::Report, 2, &[2, 1]));
        assert!(allowed(&office, Permission::Report, 1, &[1]));
        assert!(allowed(&reporter, Permission::Report, 2, &[2, 1]));
        assert!(!allowed(&reporter, Permission::Report, 3, &[3, 1]));
        assert!(!allowed(&reporter, Permission::Manage, 2, &[2, 1]));
        assert!(allowed(&viewer, Permission::View, 2, &[2, 1]));
        assert!(!allowed(&viewer, Permission::Report, 2, &[2, 1]));
        assert!(!allowed(&[], Permission::View, 2, &[2, 1]));
        assert!(!allowed(&office, Permission::Administer, 2, &[2, 1]));
    }

    #[test]
    fn admins_place_units_only_between_parents_they_administer() {
        // 1 province > 2 commune > 5 village; 3 department under 1; 4 another province
        let commune_admin = actor(Role::Admin, 2);
        let province_admin = actor(Role::Admin, 1);
        // the commune admin may add a village under its commune
        assert!(may_place_unit(&commune_admin, None, Some(&[2, 1])));
        // but not rename its own commune (its parent, the province, is out of scope)
        assert!(!may_place_unit(
            &commune_admin,
            Some(Some(&[1])),
            Some(&[1])
        ));
        // nor the province (a root)
        assert!(!may_place_unit(&commune_admin, Some(None), None));
        // nor move a department under its commune
        assert!(!may_place_unit(
            &commune_admin,
            Some(Some(&[1])),
            Some(&[2, 1])
        ));
        // nor move its village to another province
        assert!(!may_place_unit(
            &commune_admin,
            Some(Some(&[2, 1])),
            Some(&[4])
        ));
        // the province admin moves the department under the commune
        assert!(may_place_unit(
            &province_admin,
            Some(Some(&[1])),
            Some(&[2, 1])
        ));
        // nobody but the command line makes a root
        assert!(!may_place_unit(&province_admin, None, None));
        assert!(may_place_unit(&Actor::system("cli"), None, None));
        // an office holder administers nothing
        assert!(!may_place_unit(
            &actor(Role::Office, 1),
            None,
            Some(&[2, 1])
        ));
    }

    #[test]
    fn grants_and_users_stay_inside_the_admins_scope() {
        let commune_admin = actor(Role::Admin, 2);
        assert!(may_grant(&commune_admin, &[2, 1]));
        assert!(may_grant(&commune_admin, &[5, 2, 1]));
        assert!(!may_grant(&commune_admin, &[1]), "no grant above its scope");
        assert!(!may_grant(&commune_admin, &[3, 1]));
        // a user with a role in the commune and one in the province is out of reach
        assert!(may_administer_user(&commune_admin, &[vec![2, 1]], false));
        assert!(!may_administer_user(
            &commune_admin,
            &[vec![2, 1], vec![1]],
            false
        ));
        assert!(!may_administer_user(&commune_admin, &[], false));
        assert!(may_administer_user(&actor(Role::Admin, 1), &[], true));
        assert!(may_import_template(&actor(Role::Admin, 1), |u| u == 1));
        assert!(!may_import_template(&commune_admin, |u| u == 1));
        assert!(!may_import_template(&actor(Role::Office, 1), |u| u == 1));
    }

    #[test]
    fn register_sight_by_role_and_scope() {
        // 1 province > 2 commune; 3 another commune under 1
        let l2 = [2, 1];
        let cases = [
            (Role::Reporter, 2, RegisterSight::Protected),
            (Role::Office, 2, RegisterSight::Protected),
            (Role::Viewer, 2, RegisterSight::Names),
            (Role::Admin, 2, RegisterSight::Counts),
            (Role::Office, 1, RegisterSight::Counts),
            (Role::Viewer, 1, RegisterSight::Counts),
            (Role::Admin, 1, RegisterSight::Counts),
            (Role::Reporter, 1, RegisterSight::None),
            (Role::Reporter, 3, RegisterSight::None),
            (Role::Office, 3, RegisterSight::None),
            (Role::Viewer, 3, RegisterSight::None),
        ];
        for (role, unit, want) in cases {
            let a = actor(role, unit);
            assert_eq!(register_sight(&a, &l2), want, "{role:?} on {unit}");
            assert_eq!(
                may_record_register(&a, &l2),
                want == RegisterSight::Protected,
                "{role:?} on {unit}"
            );
        }
        assert_eq!(
            register_sight(&Actor::system("cli"), &l2),
            RegisterSight::Protected
        );
        assert_eq!(
            register_sight(&actor(Role::Office, 2), &[]),
            RegisterSight::None
        );
        // denouncers only to those who process; other petitioners from Names up
        assert!(RegisterSight::Protected.shows_petitioners(true));
        assert!(!RegisterSight::Names.shows_petitioners(true));
        assert!(RegisterSight::Names.shows_petitioners(false));
        assert!(!RegisterSight::Counts.shows_petitioners(false));
        assert!(!RegisterSight::None.shows_petitioners(false));
        assert!(may_edit_calendar(&actor(Role::Admin, 1), |u| u == 1));
        assert!(!may_edit_calendar(&actor(Role::Admin, 2), |u| u == 1));
        assert!(!may_edit_calendar(&actor(Role::Office, 1), |u| u == 1));
    }
}
