"""``msgc render``: compile one spec for one provider and print the payload."""

from __future__ import annotations

import json

import click

from ..envelope import resolve
from ..pipeline import Plan
from ..report import echo_diagnostics
from ..spec import load_spec
from .common import config_option, current_config, environ, parse_vars, var_hint, variable_options
from .exits import reporting
from .options import EnvelopeCommand, given_envelope, locale_option, provider_option


@click.command(name="render", cls=EnvelopeCommand)
@config_option
@click.argument("spec_path", metavar="SPEC", type=click.Path(dir_okay=False))
@provider_option("Provider to compile for.")
@locale_option("Locale to render (a key under `locales:`).")
@variable_options
@click.option("--examples", is_flag=True,
              help="Use each variable's example for values not given.")
@click.option("--compact", is_flag=True, help="Print the exact bytes that would be sent.")
def command(spec_path: str, provider: str, locale: str | None, var_pairs: tuple[str, ...],
            vars_file: str | None, envelope: dict[str, str | None], examples: bool,
            compact: bool) -> None:
    """Render SPEC for one provider and print the payload as JSON.

    Envelope fields come, first found wins, from the options, the spec's target block,
    the environment (NXCLOUD_APPKEY, ITNIO_APP_ID, ITNIO_BUSINESS_PHONE) and the msgc
    config file; missing ones are filled with placeholders, with a warning. The envelope
    options are each provider's own (their help names the provider).

    \b
    Example:
      msgc render templates/order-shipped.yaml -p viber --to 79001234567 \\
          --var order_id=A-1029 --var eta_days=3
    """
    with reporting():
        config = current_config()
        spec = load_spec(spec_path)
        plan = Plan(spec, provider, locale or _default_locale(spec, config.locale))
        given = given_envelope(plan.provider, envelope)
        resolved = resolve(plan.provider, plan.settings, given, environ(), config.envelope,
                           placeholders=True, file=spec.file)
        notes = resolved.warnings(plan.provider, spec.file)
        values = plan.values(parse_vars(var_pairs, vars_file), samples=examples,
                             how_to_give=var_hint)
        result = plan.render(values, resolved.values)
    echo_diagnostics(config.tuning.apply(notes + result.warnings))
    if compact:
        click.echo(result.body.decode("utf-8"))
    else:
        click.echo(json.dumps(result.payload, ensure_ascii=False, indent=2))


def _default_locale(spec: object, configured: str | None) -> str | None:
    locales = getattr(spec, "locales", {})
    return configured if configured in locales else None
