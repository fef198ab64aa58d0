"""The few distribution functions the statistics need, from scipy.special.

``scipy.stats`` costs about 0.6 s to import; these four functions come from
``scipy.special`` (the same numerical routines) for a fraction of that.
"""

from __future__ import annotations

__all__ = ["chi2_sf", "f_sf", "norm_ppf", "t_ppf"]


def t_ppf(q: float, df: float) -> float:
    """Quantile of Student's t distribution."""
    from scipy import special

    return float(special.stdtrit(df, q))


def f_sf(x: float, df_num: float, df_den: float) -> float:
    """Upper tail probability of the F distribution."""
    from scipy import special

    return float(special.fdtrc(df_num, df_den, x))


def chi2_sf(x: float, df: float) -> float:
    """Upper tail probability of the chi-squared distribution."""
    from scipy import special

    return float(special.chdtrc(df, x))


def norm_ppf(q: float) -> float:
    """Quantile of the standard normal distribution."""
    from scipy import special

    return float(special.ndtri(q))
