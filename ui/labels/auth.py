"""Labels of the login gate, access control and the audit page."""

LABELS: dict[str, tuple[str, str]] = {
    "auth_title": ("登录 · 网格智治指挥舱", "Sign in · GridSight"),
    "auth_username": ("用户名", "User name"),
    "auth_password": ("密码", "Password"),
    "auth_submit": ("登录", "Sign in"),
    "auth_sso": ("统一身份认证登录", "Sign in with single sign-on"),
    "auth_failed": ("用户名或密码不正确。", "The user name or password is wrong."),
    "auth_locked": ("登录失败次数过多,账号已临时锁定,请 15 分钟后再试或联系管理员。",
                    "Too many failed attempts: the account is locked for 15 minutes. Try later or ask an administrator."),
    "auth_disabled": ("该账号已停用,请联系管理员。", "This account is disabled; ask an administrator."),
    "auth_expired": ("会话已过期,请重新登录。", "Your session has expired; please sign in again."),
    "auth_signed_in_as": ("当前用户:{user}({role}{town})", "Signed in as {user} ({role}{town})"),
    "auth_logout": ("退出登录", "Sign out"),
    "auth_denied": ("您的角色无权查看此页面。", "Your role may not open this page."),
    "role_duty": ("值班", "duty"),
    "role_leader": ("领导", "leader"),
    "role_planner": ("规划", "planner"),
    "role_town": ("镇街", "town"),
    "role_admin": ("管理员", "admin"),
}
