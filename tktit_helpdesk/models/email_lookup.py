"""E-mail look-ups that match one address exactly (case aside), never a pattern."""


def escape_like(value):
    """``value`` with the LIKE wildcards ``%`` and ``_`` (and the escape character
    ``\\`` itself) escaped, for the ``=like``/``=ilike`` operators: ``a_b@x`` then
    matches ``a_b@x`` only, not ``axb@x``."""
    return (value or "").replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def email_domain(field, email):
    """Domain term: ``field`` equals ``email``, case-insensitively, wildcards escaped."""
    return (field, "=ilike", escape_like((email or "").strip()))
