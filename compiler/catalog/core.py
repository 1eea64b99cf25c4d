"""Catalog entries for reading specs: YAML, the spec format, variables and templates, and
the checks ``msgc validate`` makes across a spec and a tree of specs."""

from __future__ import annotations

from ..diagnostics import Severity
from . import PAYLOAD, SPEC, VALUES, Kind, Rule
from .text import para, plain, shell, spec

_YAML_SPEC = "https://yaml.org/spec/1.2.2/"
_JINJA_TEMPLATES = "https://jinja.palletsprojects.com/en/stable/templates/"
_JINJA_SANDBOX = "https://jinja.palletsprojects.com/en/stable/sandbox/"
_UTF8 = "https://www.rfc-editor.org/rfc/rfc3629"

RULES = (
    # -- reading the file ------------------------------------------------------------------
    Rule(
        "yaml-syntax", "The file is not valid YAML",
        para("""
            The YAML parser stopped: an unclosed quote or bracket, a tab used for
            indentation, a key and value on lines that do not line up, an unknown alias, a
            mapping used as a key, or a value that looks like a number or date but is not
            one. The finding points at the line and column where the parser gave up, which
            is often just after the real mistake.

            Quote strings that contain `: `, `#`, `{` or start with a special character; a
            Jinja template that starts with `{{` must always be quoted.
        """),
        spec("""
            message:
              text: {{ greeting }}, your order shipped
            targets:
              viber: {rate_type: Transactional}
            variables:
              greeting: {type: string, max_length: 20, example: Hello}
        """),
        spec("""
            message:
              text: "{{ greeting }}, your order shipped"
            targets:
              viber: {rate_type: Transactional}
            variables:
              greeting: {type: string, max_length: 20, example: Hello}
        """),
        help_uri=_YAML_SPEC,
    ),
    Rule(
        "yaml-tag", "A YAML tag (`!!python/...`, `!custom`) is used",
        para("""
            Specs hold plain data: strings, numbers, booleans, null, lists and mappings.
            Tags ask a YAML loader to build other objects, and some loaders run code to do
            it; msgc refuses every tag before anything is built, so a spec from an untrusted
            source cannot do more than describe a message.

            Write the value as plain YAML; quote it if it only looked like it needed a tag.
        """),
        spec("""
            message:
              text: !!python/object/apply:os.system ["echo hi"]
            targets:
              viber: {rate_type: Transactional}
        """),
        spec("""
            message:
              text: "echo hi"
            targets:
              viber: {rate_type: Transactional}
        """),
        help_uri=_YAML_SPEC,
    ),
    Rule(
        "yaml-too-deep", "The YAML nests more than 64 levels deep",
        para("""
            No message needs more than a dozen levels of nesting; msgc stops at 64 so that
            a hostile or generated file cannot exhaust the parser's stack. The finding
            points at the line where the 65th level opens.

            Flatten the structure: a spec's deepest real path is about six levels
            (`locales.ru.targets.whatsapp.message.menu`).
        """),
        spec("message:\n  text: Hello\n  contacts: " + "[" * 66 + "]" * 66
             + "\ntargets:\n  viber: {rate_type: Transactional}\n"),
        spec("""
            message:
              text: Hello
            targets:
              viber: {rate_type: Transactional}
        """),
    ),
    Rule(
        "yaml-too-large", "The YAML has more than 10,000 nodes, or expands to too much text",
        para("""
            A message spec has a few dozen nodes. msgc stops reading at 10,000 nodes, or at
            16 MiB of text once aliases are expanded, so that an "alias bomb" (an anchor
            repeated by aliases, each repeating the one before) cannot make a few hundred
            bytes expand to gigabytes.

            Split a generated file into several specs, and do not use anchors and aliases
            to multiply content.
        """),
        spec("""
            a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]
            b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
            c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
            d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
            message:
              text: Hello
            targets:
              viber: {rate_type: Transactional}
        """),
        spec("""
            message:
              text: Hello
            targets:
              viber: {rate_type: Transactional}
        """),
    ),
    Rule(
        "yaml-duplicate-key", "A mapping has the same key twice",
        para("""
            Most YAML loaders keep the last of two equal keys and silently drop the first,
            so one of the two values you wrote is ignored. msgc refuses the file and names
            the line of the first occurrence.

            Keep one of the keys. Two different texts for two providers belong in
            `targets.PROVIDER.message`, and translations in `locales`.
        """),
        spec("""
            message:
              text: Your order shipped
              text: Your parcel is on its way
            targets:
              viber: {rate_type: Transactional}
        """),
        spec("""
            message:
              text: Your parcel is on its way
            targets:
              viber: {rate_type: Transactional}
        """),
        help_uri=_YAML_SPEC,
    ),
    Rule(
        "yaml-merge-key", "A YAML merge key (`<<`) is used",
        para("""
            Merge keys are not part of YAML 1.2 and loaders disagree about them (which side
            wins, whether lists merge). msgc has its own, documented layering instead:
            `targets.PROVIDER.message` and `locales.LANG.message` are deep-merged over
            `message`, and `null` removes a field.

            Write the keys out, or move the shared part into `message` and the differences
            into an override.
        """),
        spec("""
            message:
              text: Your order shipped
            targets:
              viber: &defaults {rate_type: Transactional}
              whatsapp:
                <<: *defaults
        """),
        spec("""
            message:
              text: Your order shipped
            targets:
              viber: {rate_type: Transactional}
              whatsapp: {}
        """),
    ),
    Rule(
        "yaml-multiple-documents", "The file holds more than one YAML document",
        para("""
            One file is one message spec. A second document (after a `---` line) would be
            ignored by a loader that reads one document, so msgc refuses it at the line
            where the second document starts.

            Put each message in its own file; the file name is the spec's default name.
        """),
        spec("""
            message:
              text: Your order shipped
            targets:
              viber: {rate_type: Transactional}
            ---
            message:
              text: Your order arrived
            targets:
              viber: {rate_type: Transactional}
        """),
        spec("""
            message:
              text: Your order shipped
            targets:
              viber: {rate_type: Transactional}
        """),
    ),
    Rule(
        "file-too-large", "The spec file is larger than 8 MiB",
        para("""
            A message spec is a few kilobytes. msgc reads at most 8 MiB of a file and
            refuses larger ones before parsing, so a wrong path (a log, a database dump)
            cannot make `msgc validate` run out of memory.

            Check that the path names a message spec; split generated specs into files of
            a reasonable size.
        """),
        shell("""
            $ msgc validate dump.yaml
            dump.yaml:1:1: error: file is larger than 8 MiB [file-too-large]
        """),
        shell("""
            $ msgc validate templates/
            0 errors, 0 warnings in 6 files
        """),
    ),
    Rule(
        "encoding", "The file is not valid UTF-8",
        para("""
            Specs and payload files are read as UTF-8 (a byte-order mark is allowed). A
            file saved in another encoding (Windows-1251, Latin-1, UTF-16) has bytes that
            are not UTF-8; the finding gives the line and column of the first one, counted
            in characters.

            Save the file as UTF-8; every editor can convert it.
        """),
        plain("""
            A spec saved as Windows-1251: the bytes of "Привет" are not UTF-8.
        """),
        plain("""
            The same spec saved as UTF-8.
        """),
        found_by=SPEC + PAYLOAD,
        help_uri=_UTF8,
    ),
    # -- the spec format ---------------------------------------------------------------------
    Rule(
        "spec-not-mapping", "The file is empty, or is not a YAML mapping",
        para("""
            A spec is a mapping with at least `message:` and `targets:`. An empty file, a
            file of comments, a list or a bare string is not a spec.

            Start the file with `message:` and `targets:`.
        """),
        spec("""
            - message:
                text: Your order shipped
              targets:
                viber: {rate_type: Transactional}
        """),
        spec("""
            message:
              text: Your order shipped
            targets:
              viber: {rate_type: Transactional}
        """),
    ),
    Rule(
        "spec-too-large", "The spec's templates hold more than 2,000 tags",
        para("""
            Compiling a template tag (`{{ }}` or `{% %}`) costs about a millisecond, so
            msgc bounds the tags one spec may hold to 2,000: a generated spec with a
            hundred thousand tags would stall `validate` and `build` for minutes. Real
            messages hold a few dozen.

            Split the spec into several messages, or compute long repeated content before
            it reaches the template.
        """),
        plain("""
            A spec whose `text` repeats `{{ name }}` 2,001 times.
        """),
        spec("""
            variables:
              name: {type: string, max_length: 40, example: Ada}
            message:
              text: "Hello {{ name }}"
            targets:
              viber: {rate_type: Transactional}
        """),
    ),
    Rule(
        "spec-additional-properties", "A key the spec format does not know",
        para("""
            Every key of a spec, a variable, a message field, a button or a card is known
            to msgc; an unknown one is almost always a typo (`buttton`, `rate-type`), and
            ignoring it would silently drop what it held. The finding suggests the closest
            known key, or lists them.

            Fix the spelling. `msgc schema` exports the format as a JSON Schema so that an
            editor can complete keys as you type.
        """),
        spec("""
            message:
              text: Your order shipped
              buttton: {title: Track, url: "https://t.example.com/A1"}
            targets:
              viber: {rate_type: Promotional}
        """),
        spec("""
            message:
              text: Your order shipped
              buttons: [{title: Track, url: "https://t.example.com/A1"}]
            targets:
              viber: {rate_type: Promotional}
        """),
    ),
    Rule(
        "spec-type", "A spec value has the wrong type",
        para("""
            A field holds a value of a type it cannot take: a list where a mapping is
            expected (`buttons` is a list of mappings), a mapping where text is expected,
            a number where a boolean is expected. The finding names the expected type.

            Give the field the type the message shows; `msgc schema` describes each field.
        """),
        spec("""
            message:
              text: Your order shipped
              buttons: {title: Track, url: "https://t.example.com/A1"}
            targets:
              viber: {rate_type: Promotional}
        """),
        spec("""
            message:
              text: Your order shipped
              buttons:
                - {title: Track, url: "https://t.example.com/A1"}
            targets:
              viber: {rate_type: Promotional}
        """),
    ),
    Rule(
        "spec-required", "A required spec field is missing",
        para("""
            Some fields cannot be left out: a spec needs `message` and `targets`; a
            `document` needs `url` and `filename`; a button, a choice and a list row need a
            `title`; a `location` needs `latitude` and `longitude`; a `menu` needs `button`
            and `sections`; an `otp` needs a `template`. The finding is placed where the
            field should be.
        """),
        spec("""
            message:
              document: {url: "https://files.example.com/invoice-1029.pdf"}
            targets:
              viber: {rate_type: Transactional}
        """),
        spec("""
            message:
              document:
                url: "https://files.example.com/invoice-1029.pdf"
                filename: invoice-1029.pdf
            targets:
              viber: {rate_type: Transactional}
        """),
    ),
    Rule(
        "spec-min-items", "A spec list is empty",
        para("""
            `buttons`, `choices`, `carousel`, `contacts`, a menu's `sections`, a section's
            `rows` and a variable's `enum` must have at least one item when they are given.
            An empty list says nothing; to remove a list that a lower layer set, use
            `null` in the override instead.
        """),
        spec("""
            message:
              text: Pick a time
              choices: []
            targets:
              viber: {rate_type: Transactional}
        """),
        spec("""
            message:
              text: Pick a time
              choices: [Morning, Afternoon]
            targets:
              viber: {rate_type: Transactional}
        """),
    ),
    Rule(
        "spec-minimum", "A variable's `min_length` or `max_length` is negative",
        para("""
            Lengths count characters, so a bound below zero means nothing: a negative
            `max_length` would reject every value, a negative `min_length` none.
        """),
        spec("""
            variables:
              name: {type: string, max_length: -1, example: Ada}
            message:
              text: "Hello {{ name }}"
            targets:
              viber: {rate_type: Transactional}
        """),
        spec("""
            variables:
              name: {type: string, max_length: 40, example: Ada}
            message:
              text: "Hello {{ name }}"
            targets:
              viber: {rate_type: Transactional}
        """),
    ),
    Rule(
        "spec-name", "The spec's `name` is not a safe name",
        para("""
            A spec's name is part of file names in `msgc build` output
            (`dist/NAME/viber.json`), so it may hold only letters, digits, `.`, `_` and
            `-`, must start with a letter or digit, and is at most 100 characters: never a
            path, never hidden. Without `name:`, the file name (without `.yaml`) is used.
        """),
        spec("""
            name: ../order shipped
            message:
              text: Your order shipped
            targets:
              viber: {rate_type: Transactional}
        """),
        spec("""
            name: order-shipped
            message:
              text: Your order shipped
            targets:
              viber: {rate_type: Transactional}
        """),
    ),
    Rule(
        "spec-locale-name", "A key under `locales` is not a language tag",
        para("""
            Locale keys are language tags: two or three letters, then optional subtags
            (`ru`, `pt-BR`, `zh_Hant`). They end up in `msgc build` file names
            (`viber.pt-BR.json`) and are what `--locale` and a recipients file's `locale`
            column name.
        """),
        spec("""
            message:
              text: Your order shipped
            targets:
              viber: {rate_type: Transactional}
            locales:
              Brazilian Portuguese:
                message: {text: Seu pedido foi enviado}
        """),
        spec("""
            message:
              text: Your order shipped
            targets:
              viber: {rate_type: Transactional}
            locales:
              pt-BR:
                message: {text: Seu pedido foi enviado}
        """),
    ),
    Rule(
        "spec-variable-name", "A variable name is not an identifier",
        para("""
            Templates read variables by name (`{{ order_id }}`), so a name must be an
            identifier: a letter or `_`, then letters, digits and `_`, at most 64
            characters. A dash would read as a minus (`{{ order-id }}` is `order - id`).
        """),
        spec("""
            variables:
              order-id: {type: string, max_length: 12, example: A-1029}
            message:
              text: "Order {{ order_id }} shipped"
            targets:
              viber: {rate_type: Transactional}
        """),
        spec("""
            variables:
              order_id: {type: string, max_length: 12, example: A-1029}
            message:
              text: "Order {{ order_id }} shipped"
            targets:
              viber: {rate_type: Transactional}
        """),
    ),
    Rule(
        "spec-variable-type", "A variable's `type` is not one msgc knows",
        para("""
            A variable is a `string`, `integer`, `number`, `boolean`, `url` (http or
            https), `date` (YYYY-MM-DD) or `phone` (7-15 digits once `+`, spaces and dashes
            are removed). The type decides how a value given as text (`--var`, a CSV
            column) is read and checked.
        """),
        spec("""
            variables:
              eta: {type: int, example: 3}
            message:
              text: "Arriving in {{ eta }} days"
            targets:
              viber: {rate_type: Transactional}
        """),
        spec("""
            variables:
              eta: {type: integer, minimum: 1, maximum: 30, example: 3}
            message:
              text: "Arriving in {{ eta }} days"
            targets:
              viber: {rate_type: Transactional}
        """),
    ),
    Rule(
        "spec-targets", "The spec has no targets",
        para("""
            `targets` names the providers to compile the message for, each with its
            settings (`viber: {rate_type: Transactional}`, `whatsapp: {}`). A spec without
            any target compiles to nothing.
        """),
        spec("""
            message:
              text: Your order shipped
            targets: {}
        """),
        spec("""
            message:
              text: Your order shipped
            targets:
              whatsapp: {}
        """),
    ),
    Rule(
        "spec-unknown-target", "A target names a provider msgc does not have",
        para("""
            Each key under `targets` must be a provider msgc compiles for; `msgc rules`
            and `msgc render --help` list them. The finding suggests the closest name.
        """),
        spec("""
            message:
              text: Your order shipped
            targets:
              whatsap: {}
        """),
        spec("""
            message:
              text: Your order shipped
            targets:
              whatsapp: {}
        """),
    ),
    Rule(
        "spec-locale-unknown-target", "A locale overrides a target the spec does not have",
        para("""
            `locales.LANG.targets.PROVIDER` overrides the message for one provider in one
            language; a provider that is not under the spec's `targets` is never compiled,
            so its override would be silently ignored.

            Add the provider to `targets`, or remove the override.
        """),
        spec("""
            message:
              text: Your order shipped
            targets:
              viber: {rate_type: Transactional}
            locales:
              ru:
                message: {text: Заказ отправлен}
                targets:
                  whatsapp:
                    message: {text: Ваш заказ отправлен}
        """),
        spec("""
            message:
              text: Your order shipped
            targets:
              viber: {rate_type: Transactional}
            locales:
              ru:
                message: {text: Заказ отправлен}
        """),
    ),
    Rule(
        "spec-variable-bound", "A variable has a bound that does not apply to its type",
        para("""
            `min_length`, `max_length` and `pattern` bound text (`string`, `url`, `date`,
            `phone`); `minimum` and `maximum` bound numbers (`integer`, `number`). A bound
            of the wrong kind would never be checked, so msgc refuses it.
        """),
        spec("""
            variables:
              eta: {type: integer, max_length: 2, example: 3}
            message:
              text: "Arriving in {{ eta }} days"
            targets:
              viber: {rate_type: Transactional}
        """),
        spec("""
            variables:
              eta: {type: integer, minimum: 1, maximum: 30, example: 3}
            message:
              text: "Arriving in {{ eta }} days"
            targets:
              viber: {rate_type: Transactional}
        """),
    ),
    Rule(
        "spec-variable-pattern", "A variable's `pattern` is not a valid regular expression",
        para("""
            `pattern` is a Python regular expression that a value must match in full. The
            finding quotes the regular-expression engine's complaint (an unbalanced
            parenthesis, a bad escape, a quantifier with nothing to repeat).
        """),
        spec("""
            variables:
              order_id: {type: string, pattern: "[A-Z-\\\\d+", example: A-1029}
            message:
              text: "Order {{ order_id }} shipped"
            targets:
              viber: {rate_type: Transactional}
        """),
        spec("""
            variables:
              order_id: {type: string, max_length: 12, pattern: "[A-Z]-\\\\d+", example: A-1029}
            message:
              text: "Order {{ order_id }} shipped"
            targets:
              viber: {rate_type: Transactional}
        """),
    ),
    Rule(
        "spec-variable-example", "A variable has neither an `example` nor a `default`",
        para("""
            `msgc validate` and `msgc build` compile every spec without real data, using
            each variable's `example` (or its `default`). A variable with neither could not
            be rendered, so nothing about the message could be checked.

            Give a realistic `example`; give a `default` instead when the variable is
            optional (a value given at send time still wins).
        """),
        spec("""
            variables:
              order_id: {type: string}
            message:
              text: "Order {{ order_id }} shipped"
            targets:
              viber: {rate_type: Transactional}
        """),
        spec("""
            variables:
              order_id: {type: string, max_length: 12, example: A-1029}
            message:
              text: "Order {{ order_id }} shipped"
            targets:
              viber: {rate_type: Transactional}
        """),
    ),
    Rule(
        "spec-variable-example-invalid", "A variable's example or default breaks its own declaration",
        para("""
            The `example` and the `default` are checked like any value given at send time:
            they must have the variable's type and fit its `enum`, lengths, `pattern` and
            range. An example that breaks them would make `validate` check a message that
            could never be sent.
        """),
        spec("""
            variables:
              eta: {type: integer, minimum: 1, maximum: 30, example: 45}
            message:
              text: "Arriving in {{ eta }} days"
            targets:
              viber: {rate_type: Transactional}
        """),
        spec("""
            variables:
              eta: {type: integer, minimum: 1, maximum: 30, example: 3}
            message:
              text: "Arriving in {{ eta }} days"
            targets:
              viber: {rate_type: Transactional}
        """),
    ),
    Rule(
        "spec-variable-enum", "An `enum` value does not have the variable's type",
        para("""
            Each value of a variable's `enum` must itself be a value of the variable's
            type: an `integer` variable cannot list `"three"`, a `date` variable cannot
            list `"tomorrow"`.
        """),
        spec("""
            variables:
              eta: {type: integer, enum: [1, 3, seven], example: 3}
            message:
              text: "Arriving in {{ eta }} days"
            targets:
              viber: {rate_type: Transactional}
        """),
        spec("""
            variables:
              eta: {type: integer, enum: [1, 3, 7], example: 3}
            message:
              text: "Arriving in {{ eta }} days"
            targets:
              viber: {rate_type: Transactional}
        """),
    ),
    # -- templates -------------------------------------------------------------------------
    Rule(
        "template-syntax", "A Jinja template does not parse",
        para("""
            A string with `{{`, `{%` or `{#` is a Jinja template, and this one has a syntax
            error: an unclosed tag, an `{% if %}` without `{% endif %}`, an unknown tag.
            For a multi-line template the finding points at the line inside it.

            A literal `{{` in a message can be written `{{ "{{" }}`.
        """),
        spec("""
            variables:
              name: {type: string, max_length: 40, example: Ada}
            message:
              text: "Hello {{ name }, your order shipped"
            targets:
              viber: {rate_type: Transactional}
        """),
        spec("""
            variables:
              name: {type: string, max_length: 40, example: Ada}
            message:
              text: "Hello {{ name }}, your order shipped"
            targets:
              viber: {rate_type: Transactional}
        """),
        help_uri=_JINJA_TEMPLATES,
    ),
    Rule(
        "template-too-large", "A template is too long, too costly to render, or renders too much",
        para("""
            Templates run in a sandbox with fixed budgets, so a spec cannot make msgc hang
            or run out of memory: a template's source is at most 16,384 characters, one
            message's templates may take at most 200,000 steps (loop iterations, calls,
            filters, operators and outputs, plus the text they read), and a field renders
            to at most 65,536 characters. The same template gets the same verdict on every
            machine: steps are counted, not seconds.

            Templates are for wording: compute values before sending them in, and keep
            loops short.
        """),
        spec("""
            message:
              text: "{% for i in range(1000) %}{% for j in range(1000) %}x{% endfor %}{% endfor %}"
            targets:
              viber: {rate_type: Transactional}
        """),
        spec("""
            variables:
              dots: {type: string, max_length: 20, example: "....."}
            message:
              text: "Loading{{ dots }}"
            targets:
              viber: {rate_type: Transactional}
        """),
    ),
    Rule(
        "template-unsafe", "A template reached for something the sandbox forbids",
        para("""
            Templates are rendered in Jinja's immutable sandbox: they can read variables,
            use filters and build strings, but not reach Python internals (attributes such
            as `__class__` or `mro`), call unsafe methods, or change values. A template
            that tries is stopped; this is the security boundary that lets msgc compile
            specs from people you do not fully trust (see SECURITY.md).
        """),
        spec("""
            variables:
              name: {type: string, max_length: 40, example: Ada}
            message:
              text: "{{ name.__class__.__mro__ }}"
            targets:
              viber: {rate_type: Transactional}
        """),
        spec("""
            variables:
              name: {type: string, max_length: 40, example: Ada}
            message:
              text: "{{ name | upper }}"
            targets:
              viber: {rate_type: Transactional}
        """),
        help_uri=_JINJA_SANDBOX,
    ),
    Rule(
        "template-timeout", "A template ran past the 10-second safety stop",
        para("""
            Besides its step budget (see `template-too-large`), rendering has a
            wall-clock backstop of 10 seconds for work the step model does not foresee. No
            known template reaches it: if one does, please report it with the template,
            because it means the step budget should count something it does not.
        """),
        plain("""
            A template that does a great deal of uncounted work per step.
        """),
        plain("""
            The same wording computed before rendering, passed in as a variable.
        """),
    ),
    Rule(
        "template-error", "A template failed while rendering",
        para("""
            The template parsed, but rendering it with the given values failed: a division
            by zero, an operator applied to values of the wrong type (`"3" + 1`), an index
            past the end of a list, a filter given the wrong arguments. The finding quotes
            the error; `validate` finds it with the variables' examples, `render` and `send`
            with the real values.
        """),
        spec("""
            variables:
              eta: {type: integer, minimum: 1, maximum: 30, example: 3}
            message:
              text: "Arriving in {{ eta + ' days' }}"
            targets:
              viber: {rate_type: Transactional}
        """),
        spec("""
            variables:
              eta: {type: integer, minimum: 1, maximum: 30, example: 3}
            message:
              text: "Arriving in {{ eta }} days"
            targets:
              viber: {rate_type: Transactional}
        """),
        help_uri=_JINJA_TEMPLATES,
    ),
    Rule(
        "undeclared-variable", "A template uses a variable the spec does not declare",
        para("""
            Every name a template reads must be declared under `variables:`, with a type
            and an example; otherwise a typo (`{{ order_idd }}`) would only show when a
            real message fails. The finding suggests the closest declared name.
        """),
        spec("""
            variables:
              order_id: {type: string, max_length: 12, example: A-1029}
            message:
              text: "Order {{ order_idd }} shipped"
            targets:
              viber: {rate_type: Transactional}
        """),
        spec("""
            variables:
              order_id: {type: string, max_length: 12, example: A-1029}
            message:
              text: "Order {{ order_id }} shipped"
            targets:
              viber: {rate_type: Transactional}
        """),
    ),
    Rule(
        "undefined-variable", "A template reads something that is not defined",
        para("""
            Undefined values are errors, never empty text: a message that silently lost a
            word is worse than one that was not sent. This finding appears when a template
            reads an attribute or item that the value does not have (`{{ order.id }}` when
            `order` is text), or a variable that no value was given for.
        """),
        spec("""
            variables:
              order: {type: string, max_length: 12, example: A-1029}
            message:
              text: "Order {{ order.id }} shipped"
            targets:
              viber: {rate_type: Transactional}
        """),
        spec("""
            variables:
              order: {type: string, max_length: 12, example: A-1029}
            message:
              text: "Order {{ order }} shipped"
            targets:
              viber: {rate_type: Transactional}
        """),
        help_uri=_JINJA_TEMPLATES,
    ),
    # -- across a spec and a tree ----------------------------------------------------------
    Rule(
        "duplicate-name", "Two specs in the tree have the same name",
        para("""
            A spec's name (its `name:`, else its file name) identifies it in `msgc build`
            output (`dist/NAME/...`) and must be unique in a tree; two specs with one name
            would overwrite each other's payloads. The finding is on the second spec and
            names the first.
        """),
        plain("""
            # orders/shipped.yaml
            name: order-shipped
            ...
            # returns/shipped.yaml
            name: order-shipped
            ...
        """),
        plain("""
            # orders/shipped.yaml
            name: order-shipped
            ...
            # returns/shipped.yaml
            name: return-shipped
            ...
        """),
    ),
    Rule(
        "unused-variable", "A declared variable is used by no template",
        para("""
            The variable is declared under `variables:` but no template in the spec (the
            message, any target override, any locale) reads it. Callers still have to pass
            a value, or it is left over from an earlier wording.

            Remove it, or use it in the text.
        """),
        spec("""
            variables:
              order_id: {type: string, max_length: 12, example: A-1029}
              eta_days: {type: integer, minimum: 1, maximum: 30, example: 3}
            message:
              text: "Order {{ order_id }} shipped"
            targets:
              viber: {rate_type: Transactional}
        """),
        spec("""
            variables:
              order_id: {type: string, max_length: 12, example: A-1029}
              eta_days: {type: integer, minimum: 1, maximum: 30, example: 3}
            message:
              text: "Order {{ order_id }} shipped, arriving in {{ eta_days }} days"
            targets:
              viber: {rate_type: Transactional}
        """),
        severity=Severity.WARNING, kind=Kind.ADVICE, found_by=("validate", "build"),
    ),
    Rule(
        "locale-missing-field", "A locale lacks a field that the default message has",
        para("""
            Overrides merge mappings key by key but replace lists and strings whole. So a
            translated `choices` list, or a translated card, must be complete: a locale
            that gives one translated button where the default message has two sends one.
            This warning names the field the localized message lacks.

            Translate the whole list, or remove the field on purpose with `null`.
        """),
        spec("""
            message:
              text: Pick a time
              choices: [Morning, Afternoon, Evening]
            targets:
              viber: {rate_type: Transactional}
            locales:
              ru:
                message:
                  text: Выберите время
                  choices: [Утро, День]
        """),
        spec("""
            message:
              text: Pick a time
              choices: [Morning, Afternoon, Evening]
            targets:
              viber: {rate_type: Transactional}
            locales:
              ru:
                message:
                  text: Выберите время
                  choices: [Утро, День, Вечер]
        """),
        severity=Severity.WARNING, kind=Kind.ADVICE, found_by=("validate", "build"),
    ),
    Rule(
        "unbounded-variable", "A variable without `max_length` reaches a field with a length limit",
        para("""
            The worst-case analysis checks that every field stays within its provider's
            limit for every value the variables' declarations allow. A text variable
            without `max_length` (or `enum`), or an integer without `minimum` and `maximum`,
            can be any length, so msgc cannot tell. Every payload length limit is a hard
            provider limit, so a check that could not be made is a warning, once per
            variable, never a quiet note.

            Declare `max_length` (or `enum`) to get the worst-case check; disable the
            warning in `[tool.msgc]` only if the values are bounded elsewhere.
        """),
        spec("""
            variables:
              name: {type: string, example: Ada}
            message:
              text: "Hello {{ name }}, your order shipped"
            targets:
              viber: {rate_type: Transactional}
        """),
        spec("""
            variables:
              name: {type: string, max_length: 64, example: Ada}
            message:
              text: "Hello {{ name }}, your order shipped"
            targets:
              viber: {rate_type: Transactional}
        """),
        severity=Severity.WARNING, kind=Kind.ADVICE, found_by=("validate", "build"),
    ),
    Rule(
        "unbounded-template",
        "A template whose output length msgc cannot bound reaches a field with a length limit",
        para("""
            The worst-case analysis bounds a template from its text, its variables'
            declared bounds, `if`/`else` branches and filters that keep or shorten their
            input. A loop, a method call or another filter makes the length unknown, so the
            field's provider limit could not be checked; since every payload length limit is
            a hard provider limit, that is a warning, not a silent pass.

            Bound the output (`{{ text | truncate(80) }}`), or keep the template to
            variables, text, `if`/`else` and length-keeping filters.
        """),
        spec("""
            variables:
              items: {type: string, max_length: 20, example: "a,b"}
            message:
              text: "{% for i in items.split(',') %}{{ i }} {% endfor %}"
            targets:
              viber: {rate_type: Transactional}
        """),
        spec("""
            variables:
              items: {type: string, max_length: 20, example: "a,b"}
            message:
              text: "Items: {{ items | upper }}"
            targets:
              viber: {rate_type: Transactional}
        """),
        severity=Severity.WARNING, kind=Kind.ADVICE, found_by=("validate", "build"),
    ),
    Rule(
        "locale-untranslated", "A locale shows a readable text of the default message untranslated",
        para("""
            A locale overrides the fields it translates; every other field comes from the
            default message. A readable text (a `text`, `header`, `footer`, `title`,
            `description`, `button`, a location's `name` or `address`) that the locale takes
            unchanged is usually one nobody translated: a German message with an English
            footer. Text that is only template tags (`{{ code }}`) needs no translation and
            is not reported.

            Translate it under `locales.LANG.message`; if the text really is the same in
            every language, disable this note for the line with `# msgc: disable=`.
        """),
        spec("""
            message:
              text: Pick a delivery slot
              footer: Reply STOP to opt out
              choices: [{id: am, title: Morning}, {id: pm, title: Evening}]
            targets:
              whatsapp: {}
            locales:
              de:
                message:
                  text: Wählen Sie ein Lieferfenster
                  choices: [{id: am, title: Morgens}, {id: pm, title: Abends}]
        """),
        spec("""
            message:
              text: Pick a delivery slot
              footer: Reply STOP to opt out
              choices: [{id: am, title: Morning}, {id: pm, title: Evening}]
            targets:
              whatsapp: {}
            locales:
              de:
                message:
                  text: Wählen Sie ein Lieferfenster
                  footer: Antworten Sie STOP zum Abbestellen
                  choices: [{id: am, title: Morgens}, {id: pm, title: Abends}]
        """),
        severity=Severity.NOTE, kind=Kind.ADVICE, found_by=("validate", "build"),
    ),
    Rule(
        "spec-card-unused-target", "A carousel card has fields for a provider that never sees them",
        para("""
            A carousel card's `targets: {PROVIDER: {...}}` holds fields for one provider
            only, merged over the card. Fields for a provider the spec does not compile for,
            or inside a carousel that only one provider's override holds, are never used;
            usually the provider was renamed or removed from `targets`.
        """),
        spec("""
            message:
              text: New this week
              carousel:
                - title: Blue vase
                  image: "https://cdn.example.com/vase.jpg"
                  buttons: [{title: Buy, url: "https://shop.example.com/vase"}]
                  targets: {viber: {title: Vase}}
                - title: Green lamp
                  image: "https://cdn.example.com/lamp.jpg"
                  buttons: [{title: Buy, url: "https://shop.example.com/lamp"}]
            targets:
              whatsapp: {}
        """),
        spec("""
            message:
              text: New this week
              carousel:
                - title: Blue vase
                  image: "https://cdn.example.com/vase.jpg"
                  buttons: [{title: Buy, url: "https://shop.example.com/vase"}]
                - title: Green lamp
                  image: "https://cdn.example.com/lamp.jpg"
                  buttons: [{title: Buy, url: "https://shop.example.com/lamp"}]
            targets:
              whatsapp: {}
        """),
        severity=Severity.WARNING, kind=Kind.ADVICE,
    ),
    # -- values given at render and send time ------------------------------------------------
    Rule(
        "missing-variable", "No value was given for a variable without a default",
        para("""
            `msgc render` and `msgc send` need a value for every variable that has no
            `default`; examples are used only with `render --examples`. Pass it with
            `--var NAME=VALUE`, `--vars file.json`, or a recipients-file column.
        """),
        shell("""
            $ msgc render order.yaml -p viber --to 79001234567
        """),
        shell("""
            $ msgc render order.yaml -p viber --to 79001234567 --var order_id=A-1029
        """),
        kind=Kind.INPUT, found_by=VALUES,
    ),
    Rule(
        "phone-number", "A phone number given on the command line or in the API is not one",
        para("""
            A recipient (`--to`, `to=` in the Python API) or a phone-number envelope setting
            is written with its country code; blanks, dashes, dots, parentheses and one
            leading `+` are ignored, and 7 to 15 digits must remain (15 is E.164's
            maximum). Anything else is a usage error naming the value and what is wrong with
            it, before anything is rendered or sent.
        """),
        shell("""
            $ msgc render order.yaml -p viber --to 7900123 --examples
        """),
        shell("""
            $ msgc render order.yaml -p viber --to "+7 (900) 123-45-67" --examples
        """),
        found_by=VALUES, help_uri="https://www.itu.int/rec/T-REC-E.164",
    ),
    Rule(
        "variable-value", "A value does not fit its variable's declaration",
        para("""
            A value given at render or send time is read as the variable's type and
            checked against its `enum`, lengths, `pattern` and range, before any template
            runs: text that is not an integer for an `integer`, a `date` that is no day
            of the calendar, a `url` that is not http(s), a value longer than `max_length`.
        """),
        shell("""
            $ msgc render order.yaml -p viber --to 79001234567 --var eta_days=three
        """),
        shell("""
            $ msgc render order.yaml -p viber --to 79001234567 --var eta_days=3
        """),
        found_by=VALUES,
    ),
    Rule(
        "unknown-variable", "A value was given for a variable the spec does not declare",
        para("""
            A value for an undeclared name is almost always a typo, and the variable it was
            meant for would be missing or keep its default. The finding suggests the
            closest declared name.
        """),
        shell("""
            $ msgc render order.yaml -p viber --to 79001234567 --var order=A-1029
        """),
        shell("""
            $ msgc render order.yaml -p viber --to 79001234567 --var order_id=A-1029
        """),
        found_by=VALUES,
    ),
    Rule(
        "unknown-locale", "The locale asked for is not one the spec has",
        para("""
            `--locale` (or a recipients file's `locale` column) must name a key under the
            spec's `locales:`; the finding lists the ones it has. Leave it out to send the
            default message.
        """),
        shell("""
            $ msgc render order.yaml -p viber --locale de --examples
        """),
        shell("""
            $ msgc render order.yaml -p viber --locale ru --examples
        """),
        found_by=VALUES,
    ),
    Rule(
        "target-not-in-spec", "The provider asked for is not among the spec's targets",
        para("""
            `render` and `send` compile a spec for one provider, which must be a key
            under its `targets:`; a spec written for Viber alone has no WhatsApp settings or
            overrides to compile with.
        """),
        shell("""
            $ msgc render viber-only.yaml -p whatsapp --examples
        """),
        shell("""
            $ msgc render viber-only.yaml -p viber --examples
        """),
        kind=Kind.OPERATION, found_by=VALUES,
    ),
    # -- lowering, for every provider ------------------------------------------------------
    Rule(
        "message-empty", "The message has nothing the provider can send",
        para("""
            After merging overrides and locales, the message has no field the provider
            sends: no text, media, choices, carousel or other content. This often follows an
            override that set `text: null` for one provider.
        """),
        spec("""
            message:
              text: Your order shipped
            targets:
              whatsapp:
                message: {text: null}
        """),
        spec("""
            message:
              text: Your order shipped
            targets:
              whatsapp: {}
        """),
    ),
    Rule(
        "message-number", "A numeric field is not a number",
        para("""
            Numeric fields (a video's `size` and `duration`, a location's `latitude` and
            `longitude`, OTP parameters such as `codeValidityTime`) take a number, or a
            template that renders one. Text that does not read as a finite number, and
            booleans, are refused.
        """),
        spec("""
            message:
              location: {latitude: north, longitude: 13.4050, name: Office, address: Main St 1}
            targets:
              whatsapp: {}
        """),
        spec("""
            message:
              location: {latitude: 52.5200, longitude: 13.4050, name: Office, address: Main St 1}
            targets:
              whatsapp: {}
        """),
    ),
    Rule(
        "message-integer", "A whole-number field is given a fraction",
        para("""
            Some numeric fields take whole numbers only: a video's `size` (bytes) and
            `duration` (seconds), and OTP parameters the provider types as integers.
        """),
        spec("""
            message:
              text: Our new collection
              video:
                url: "https://cdn.example.com/a.mp4"
                thumbnail: "https://cdn.example.com/a.jpg"
                size: 882472
                duration: 15.5
            targets:
              viber: {rate_type: Promotional}
        """),
        spec("""
            message:
              text: Our new collection
              video:
                url: "https://cdn.example.com/a.mp4"
                thumbnail: "https://cdn.example.com/a.jpg"
                size: 882472
                duration: 15
            targets:
              viber: {rate_type: Promotional}
        """),
    ),
    # -- msgc's own comments -----------------------------------------------------------------
    Rule(
        "disable-unknown-rule", "A `# msgc: disable=` comment names a rule that does not exist",
        para("""
            `# msgc: disable=RULE` hides one rule's findings on a line (`disable-file=` for
            the whole file). A rule id that msgc does not know is almost always a typo,
            and the finding it was meant to hide would still show; the finding suggests
            the closest id. `msgc rules` lists them all.
        """),
        spec("""
            variables:
              order_id: {type: string, max_length: 12, example: A-1029}
              legacy: {type: string, example: x}  # msgc: disable=unused-variables
            message:
              text: "Order {{ order_id }} shipped"
            targets:
              viber: {rate_type: Transactional}
        """),
        spec("""
            variables:
              order_id: {type: string, max_length: 12, example: A-1029}
              legacy: {type: string, example: x}  # msgc: disable=unused-variable
            message:
              text: "Order {{ order_id }} shipped"
            targets:
              viber: {rate_type: Transactional}
        """),
        found_by=("validate", "build"),
    ),
    Rule(
        "disable-not-allowed", "A `# msgc: disable=` comment names a rule that cannot be disabled",
        para("""
            Only msgc's advice (warnings and notes) can be disabled. Errors cannot: a
            provider's hard limit would make the provider refuse the message whatever msgc
            said, a message the provider cannot express has nothing to send, and a spec
            msgc cannot read cannot be compiled. The finding says which applies;
            `msgc rules RULE` explains the rule and how to fix what it reports.
        """),
        spec("""
            message:
              text: Your order shipped  # msgc: disable=viber-rate-type-missing
            targets:
              viber: {}
        """),
        spec("""
            message:
              text: Your order shipped
            targets:
              viber: {rate_type: Transactional}
        """),
        found_by=("validate", "build"),
    ),
    Rule(
        "comment-directive", "A `# msgc:` comment is not one msgc understands",
        para("""
            Comments that start with `# msgc:` are instructions to msgc. It understands
            `# msgc: disable=RULE[,RULE...]`, at the end of a line (that line) or on a line
            of its own (the next line), and `# msgc: disable-file=RULE[,RULE...]` (the
            whole file). Anything else after `# msgc:` is reported rather than ignored, so
            that a misspelt instruction does not silently do nothing.
        """),
        spec("""
            # msgc: ignore=unused-variable
            variables:
              legacy: {type: string, example: x}
            message:
              text: Your order shipped
            targets:
              viber: {rate_type: Transactional}
        """),
        spec("""
            # msgc: disable-file=unused-variable
            variables:
              legacy: {type: string, example: x}
            message:
              text: Your order shipped
            targets:
              viber: {rate_type: Transactional}
        """),
        found_by=("validate", "build"),
    ),
)
