"""Errors of the accounts package, each with its stable code (style.md §4)."""

from django.utils.translation import gettext_lazy as _

from config.errors import InvalidInput, NotPermitted, RateLimited, SealflowError, StateConflict


class SelfGrantForbidden(NotPermitted):
    code = "self_grant_forbidden"
    message = _("不能为自己授予或撤销角色")


class SelfManagementForbidden(NotPermitted):
    code = "self_management_forbidden"
    message = _("不能通过管理接口修改自己的账户，请使用“修改密码”")


class DutiesConflict(NotPermitted):
    """三员分立: the administrative roles exclude each other and every content role."""

    code = "separation_of_duties"
    message = _("三员分立：安全管理员、审计管理员、系统管理员不得由同一账户兼任，也不得兼任业务角色")


class GrantExists(StateConflict):
    code = "grant_exists"
    message = _("该用户已在此组织拥有该角色")


class OrgCycle(InvalidInput):
    code = "org_cycle"
    message = _("不能把组织移动到它自己或它的下级组织之下")


class OrgInUse(StateConflict):
    code = "org_in_use"
    message = _("该组织仍有下级组织、用户或授权，不能删除")


class InvalidCredentials(InvalidInput):
    code = "invalid_credentials"
    message = _("用户名或密码错误")


class LockedOut(RateLimited):
    code = "locked_out"
    # The actions raise it with ``accounts.lockout.lockout_help()`` (wait N minutes, or a reset code).
    message = _("登录失败次数过多，该账户已被暂时锁定，请稍后再试或凭重置验证码设置新密码")


class AccountDisabled(StateConflict):
    code = "account_disabled"
    message = _("账户已停用")


class PasswordChangeRequired(SealflowError):
    """The account still has the initial password someone else chose (HTTP 403, not a refusal to audit)."""

    code = "password_change_required"
    message = _("首次登录须先修改初始密码：请用 POST /api/v1/auth/password 提交用户名、初始密码和新密码")
    status = 403


class InvalidResetCode(InvalidInput):
    code = "invalid_reset_code"
    message = _("验证码错误、已过期或已使用，请联系系统管理员重新发送")


class NoContactChannel(StateConflict):
    code = "no_contact_channel"
    message = _("该账户没有登记手机号或电子邮箱，无法发送重置验证码；请先为其登记联系方式")
