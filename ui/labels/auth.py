"""Labels of the login gate, access control and the audit page."""

LABELS: dict[str, tuple[str, str]] = {
    "auth_title": ("登录 · 网格智治指挥舱", "Sign in · GridSight"),
    "auth_username": ("用户名", "User name"),
    "auth_password": ("密码", "Password"),
    "auth_submit": ("登录", "Sign in"),
    "auth_sso": ("统一身份认证登录", "Sign in with single sign-on"),
    # One answer for every refused sign-in (unknown name, wrong password, disabled or locked
    # account): a reply must not tell which names exist (issue #18, finding 3). The audit log
    # keeps the real reason.
    "auth_failed": (
        "用户名或密码不正确,或该账号暂不可用。连续 5 次失败后账号锁定 15 分钟;如有疑问请联系管理员。",
        "The user name or password is wrong, or the account cannot be used now. After 5 failures in a row "
        "an account is locked for 15 minutes; ask an administrator if in doubt.",
    ),
    "auth_throttled": (
        "此地址登录失败次数过多,请 15 分钟后再试。",
        "Too many failed sign-ins from this address; try again in 15 minutes.",
    ),
    "auth_expired": ("会话已过期,请重新登录。", "Your session has expired; please sign in again."),
    "auth_signed_in_as": ("当前用户:{user}({role}{town})", "Signed in as {user} ({role}{town})"),
    "auth_logout": ("退出登录", "Sign out"),
    "auth_denied": ("您的角色无权查看此页面。", "Your role may not open this page."),
    "role_duty": ("值班", "duty"),
    "role_leader": ("领导", "leader"),
    "role_planner": ("规划", "planner"),
    "role_town": ("镇街", "town"),
    "role_admin": ("管理员", "admin"),
    "page_admin": ("用户与审计", "Users and audit"),
    "auth_denied_body": (
        "如需访问,请联系管理员调整角色。此次访问已记入审计日志。",
        "Ask an administrator if you need it. This attempt has been recorded in the audit log.",
    ),
    "auth_out_of_scope": ("该对象不在您账号的数据范围内。", "That item is outside your account's data scope."),
    "admin_users": (
        "用户(只读;增改用户请使用命令行 python -m data_access.users)",
        "Users (read-only; change users on the command line: python -m data_access.users)",
    ),
    "admin_audit": ("审计日志", "Audit log"),
    "admin_audit_counts": ("按操作统计", "Entries per action"),
    "admin_filter_user": ("用户名", "User name"),
    "admin_filter_action": ("操作", "Action"),
    "admin_page_no": ("页码", "Page"),
    "admin_audit_caption": ("每页 {n} 条,按时间倒序。", "{n} entries a page, newest first."),
    "admin_dates": ("审计日期范围", "Audit dates"),
    "admin_no_entries": ("所选范围内没有审计记录。", "No audit entries in this range."),
    "admin_col_username": ("用户名", "User name"),
    "admin_col_role": ("角色", "Role"),
    "admin_col_town": ("镇街", "Town"),
    "admin_col_disabled": ("已停用", "Disabled"),
    "admin_col_last_login": ("最近登录", "Last sign-in"),
    "admin_col_locked_until": ("锁定至", "Locked until"),
    "admin_col_at": ("时间", "Time"),
    "admin_col_action": ("操作", "Action"),
    "admin_col_page": ("页面", "Page"),
    "admin_col_detail": ("详情", "Detail"),
}
