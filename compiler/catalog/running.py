"""Catalog entries for running commands: files and folders, configuration, envelopes,
credentials, recipients files, the campaign journal and ``check-payload``'s input."""

from __future__ import annotations

from ..diagnostics import Severity
from . import PAYLOAD, SEND, Kind, Rule
from .text import para, plain, shell, toml

_ALL = ("validate", "build", "render", "send", "check-payload", "fake-server", "preview",
        "config", "webhook", "report")
_JSON = "https://www.rfc-editor.org/rfc/rfc8259"
_PLACEHOLDER = shell("""
    $ msgc render order.yaml -p viber --to 79001234567 --examples
    order.yaml: warning: (viber) no appkey given; using the placeholder 'APPKEY' [envelope-placeholder]
""")

RULES = (
    Rule(
        "io-error", "A file or folder cannot be read or written",
        para("""
            A path given on the command line (or found in the config) does not exist, is
            not a regular file, cannot be read, or an output cannot be written (a full
            disk, a missing folder, no permission). The finding names the path and the
            operating system's reason. Commands exit with status 2, as for other usage
            errors.
        """),
        shell("""
            $ msgc validate templates/ordr-shipped.yaml
            templates/ordr-shipped.yaml: error: no such file or folder [io-error]
        """),
        shell("""
            $ msgc validate templates/order-shipped.yaml
        """),
        kind=Kind.OPERATION, found_by=_ALL,
    ),
    Rule(
        "config-syntax", "A config file is not valid TOML",
        para("""
            The config file (`msgc.toml`, `pyproject.toml`'s `[tool.msgc]`, the user file
            `~/.config/msgc/config.toml`, or the file `--config`/`MSGC_CONFIG` names) does not
            parse as TOML: a missing quote, a key without `=`, a table defined twice. The
            finding gives the line and column; commands exit with status 2.
        """),
        toml("""
            strict = yes
        """),
        toml("""
            strict = true
        """),
        kind=Kind.OPERATION, found_by=_ALL, help_uri="https://toml.io/en/v1.0.0",
    ),
    Rule(
        "config-unknown-key", "A config file has a setting msgc does not know",
        para("""
            Every setting of a config file is known to msgc: `paths`, `strict`, `locale`,
            `exclude`, `disable` and the tables `[envelope]`, `[credentials]` and
            `[severity]`, whose keys are known too (envelope settings, credential names, rule
            ids). An unknown one is a typo that would otherwise be silently ignored; the
            finding suggests the closest name.
        """),
        toml("""
            strikt = true
        """),
        toml("""
            strict = true
        """),
        kind=Kind.OPERATION, found_by=_ALL,
    ),
    Rule(
        "config-type", "A config setting has the wrong type",
        para("""
            A setting holds a value of a type it cannot take: `strict = "yes"` (a string
            for a boolean), `paths = 5`, an envelope value written as a number (quote it, or
            a phone number loses its leading zeros). Commands exit with status 2.
        """),
        toml("""
            [envelope]
            business_phone = 91856321321
        """),
        toml("""
            [envelope]
            business_phone = "91856321321"
        """),
        kind=Kind.OPERATION, found_by=_ALL,
    ),
    Rule(
        "config-value", "A config setting has a value msgc cannot use",
        para("""
            The value has the right type but not a usable value: a `locale` that is not a
            language tag, or a `disable`/`severity` entry naming a rule that does not exist
            or cannot be tuned (the finding says why: errors are hard provider limits,
            messages a provider cannot express, or specs msgc cannot read). Commands exit
            with status 2.
        """),
        toml("""
            disable = ["viber-text-length"]      # a hard provider limit
        """),
        toml("""
            disable = ["viber-text-may-exceed"]  # advice: may be disabled
        """),
        kind=Kind.OPERATION, found_by=_ALL,
    ),
    Rule(
        "config-misplaced", "A config setting is in a file where it does not belong",
        para("""
            Some settings belong in one kind of file: `paths` in a project's config (in the
            user file it would apply to every project), msgc's settings at the top level of
            `msgc.toml` but under `[tool.msgc]` in `pyproject.toml`.
        """),
        toml("""
            # ~/.config/msgc/config.toml
            paths = ["templates"]
        """),
        toml("""
            # msgc.toml, in the project
            paths = ["templates"]
        """),
        kind=Kind.OPERATION, found_by=_ALL,
    ),
    Rule(
        "config-credentials-in-repository", "A config file with credentials is inside a git work tree",
        para("""
            A config file that holds `[credentials]` and sits in a git work tree, not
            ignored by git, would publish the secrets with the next commit. msgc warns (and
            still reads it). Keep credentials in the environment or in the user file
            (`~/.config/msgc/config.toml`), outside every repository; `msgc config` shows
            where each one comes from.
        """),
        toml("""
            # msgc.toml, committed with the project
            [credentials]
            NXCLOUD_ACCESS_SECRET = "..."
        """),
        toml("""
            # ~/.config/msgc/config.toml, outside every repository
            [credentials]
            NXCLOUD_ACCESS_SECRET = "..."
        """),
        severity=Severity.WARNING, kind=Kind.OPERATION, found_by=_ALL,
    ),
    Rule(
        "no-specs", "A path holds no message spec",
        para("""
            A folder given to `validate`, `build` or `preview` (or in the config's `paths`)
            holds no spec: no `.yaml`/`.yml` file, or only YAML that is not a spec (a spec is
            a mapping with `message` and `targets`). A wrong path would otherwise pass CI as
            a clean, empty tree, so it is an error (exit 2) that lists what was looked at and
            which names were skipped.
        """),
        shell("""
            $ msgc validate tempaltes/
        """),
        shell("""
            $ msgc validate templates/
        """),
        kind=Kind.OPERATION, found_by=("validate", "build", "preview"),
    ),
    Rule(
        "usage", "The command line combines options that do not go together",
        para("""
            Some options only make sense together or apart, e.g. `msgc send` needs
            exactly one of `--to PHONE` and `--recipients FILE`, and campaign options such
            as `--results` and `--resume` need `--recipients`. The finding says which.
            Commands exit with status 2.
        """),
        shell("""
            $ msgc send order.yaml -p viber --to 79001234567 --resume
        """),
        shell("""
            $ msgc send order.yaml -p viber --recipients people.csv --results out.jsonl --resume
        """),
        kind=Kind.OPERATION, found_by=SEND,
    ),
    Rule(
        "envelope-missing", "An addressing field (app id, sender, recipient) has no value",
        para("""
            The envelope of a message (the recipient, and the provider's own addressing
            fields such as an app key or a business phone number) is not part of a spec's
            content. `msgc send` needs every field, and takes it, first found wins, from the
            command-line option, the spec's target block, the environment variable, and the
            config's `[envelope]` table. The finding lists the ways to give it.
        """),
        shell("""
            $ msgc send order.yaml -p viber --to 79001234567 --var order_id=A-1
        """),
        shell("""
            $ msgc send order.yaml -p viber --to 79001234567 --appkey pem28kje --var order_id=A-1
        """),
        kind=Kind.OPERATION, found_by=SEND,
    ),
    Rule(
        "envelope-placeholder", "`msgc render` filled an addressing field with a placeholder",
        para("""
            `msgc render` prints a payload even when an envelope field has no value, using
            a placeholder (`APPKEY`, `APPID`, ...) so that the rest of the message can be
            looked at; the payload is not ready to send as is. Give the field with its
            option, the spec's target block, the environment or the config's `[envelope]`.
        """),
        _PLACEHOLDER,
        shell("""
            $ NXCLOUD_APPKEY=pem28kje msgc render order.yaml -p viber --to 79001234567 --examples
        """),
        severity=Severity.WARNING, kind=Kind.ADVICE, found_by=("render",),
    ),
    Rule(
        "build-path-escape", "A spec's name would make `msgc build` write outside its folder",
        para("""
            `msgc build` writes `OUT/NAME/PROVIDER.json` for every spec and
            `OUT/manifest.json` for the build. A spec named `manifest.json` would overwrite
            the manifest (and names are checked never to leave the output folder); nothing
            is written.
        """),
        plain("""
            name: manifest.json
        """),
        plain("""
            name: order-shipped
        """),
        kind=Kind.INPUT, found_by=("build",),
    ),
    Rule(
        "json-syntax", "A payload file is not valid JSON",
        para("""
            `msgc check-payload` reads each file as one JSON document (UTF-8, a byte-order
            mark allowed). The finding gives the line and column where the JSON parser
            stopped: a trailing comma, a comment, single quotes, an unquoted key.
        """),
        plain("""
            {"type": "text", "text": {"body": "Hi"},}
        """),
        plain("""
            {"type": "text", "text": {"body": "Hi"}}
        """),
        found_by=PAYLOAD, help_uri=_JSON,
    ),
    # -- sending -----------------------------------------------------------------------------
    Rule(
        "credentials-missing", "A credential that sending needs is not set",
        para("""
            Sending signs every request with the provider's access key and secret. They
            come from environment variables (named in the finding), else from the
            `[credentials]` table of an `msgc.toml` kept outside the repository; never
            from a spec. Nothing is sent, and the command exits with status 2, until all
            are set. Their values are never printed or logged.
        """),
        shell("""
            $ msgc send order.yaml -p viber --to 79001234567 --var order_id=A-1
        """),
        shell("""
            $ export NXCLOUD_ACCESS_KEY=... NXCLOUD_ACCESS_SECRET=...
            $ msgc send order.yaml -p viber --to 79001234567 --var order_id=A-1
        """),
        kind=Kind.OPERATION, found_by=SEND,
    ),
    Rule(
        "credentials-invalid", "A credential's value cannot be a key",
        para("""
            API keys and secrets are printable ASCII without blanks. A value with anything
            else was not copied whole: a placeholder such as `...` or `…`, a typographic
            character, a blank or a line break picked up while pasting. It is refused before
            anything is signed or sent, naming the variable and the position of the problem
            (never the value). Commands exit with status 2.
        """),
        shell("""
            $ export NXCLOUD_ACCESS_SECRET="pasted-from-the-console "
            $ msgc send order.yaml -p viber --to 79001234567 --var order_id=A-1
        """),
        shell("""
            $ export NXCLOUD_ACCESS_SECRET="pasted-from-the-console"
            $ msgc send order.yaml -p viber --to 79001234567 --var order_id=A-1
        """),
        kind=Kind.OPERATION, found_by=("send", "fake-server", "config", "webhook"),
    ),
    Rule(
        "base-url", "The API address is not an http(s) URL",
        para("""
            `--base-url` (or the provider's base-URL environment variable) replaces the
            provider's production address, usually to point at `msgc fake-server`. It must
            be an `http://` or `https://` URL with a host.
        """),
        shell("""
            $ msgc send order.yaml -p viber --to 79001234567 --base-url 127.0.0.1:8080
        """),
        shell("""
            $ msgc send order.yaml -p viber --to 79001234567 --base-url http://127.0.0.1:8080
        """),
        kind=Kind.OPERATION, found_by=SEND,
    ),
    Rule(
        "journal-conflict", "The campaign journal does not match this command",
        para("""
            A campaign's journal (next to its results file) makes `--resume` send every
            remaining row exactly once. msgc refuses what would break that promise:
            `--resume` without a journal, a fresh run over an existing journal, resuming
            after the spec, the provider or the recipients file changed, or a journal that
            cannot be opened.
        """),
        shell("""
            $ msgc send order.yaml -p viber --recipients people.csv --results out.jsonl
            # ...interrupted; then, by mistake, the same command again:
            $ msgc send order.yaml -p viber --recipients people.csv --results out.jsonl
        """),
        shell("""
            $ msgc send order.yaml -p viber --recipients people.csv --results out.jsonl --resume
        """),
        kind=Kind.OPERATION, found_by=SEND,
    ),
    Rule(
        "campaign-locked", "Another `msgc send` is running the same campaign",
        para("""
            A campaign (its results file) is run by one process at a time: `msgc send
            --recipients` holds an operating-system lock on `RESULTS.lock` from start to
            end, so two runs, or a run and a `--resume`, can never send the same rows. The
            finding names the process that holds it. The lock goes away when that process
            exits, however it exits, so it never blocks a resume after a crash.
        """),
        plain("""
            $ msgc send order.yaml -p viber --recipients people.csv --results out.jsonl --resume
            out.jsonl.lock: error: another msgc send is running this campaign: PID 4242 ... [campaign-locked]
        """),
        plain("""
            # wait for the other run to end (or stop it with Ctrl-C), then:
            $ msgc send order.yaml -p viber --recipients people.csv --results out.jsonl --resume
        """),
        kind=Kind.OPERATION, found_by=SEND,
    ),
    Rule(
        "journal-damaged", "The campaign journal is damaged",
        para("""
            The journal (`RESULTS.journal.sqlite3`) cannot be read: a bad header, a broken
            database, a journal from a newer msgc. It alone can tell which rows were sent,
            so nothing is sent until it is restored (with any `-journal` or `-wal` file next
            to it); or remove the rows the results file lists from the recipients file and
            send the rest as a new campaign, with another results file.
        """),
        plain("""
            out.jsonl.journal.sqlite3 truncated by a full disk, then --resume
        """),
        plain("""
            the journal restored from a backup, then --resume
        """),
        kind=Kind.OPERATION, found_by=SEND,
    ),
    Rule(
        "journal-behind", "The results file records answers the journal does not have",
        para("""
            Before resuming, msgc checks the results file against the journal. Rows the
            results file records as answered but the journal does not know mean the journal
            lost writes (a side file deleted, an older copy restored), and resuming would
            send those rows again. Nothing is sent and neither file is changed.

            Restore the journal; or keep the results file as the record of what was sent,
            remove those rows from the recipients file and send the rest as a new campaign.
        """),
        plain("""
            out.jsonl.journal.sqlite3 replaced by yesterday's copy, then --resume
        """),
        plain("""
            the journal and its -wal file restored together, then --resume
        """),
        kind=Kind.OPERATION, found_by=SEND,
    ),
    Rule(
        "results-damaged", "A line of the results file is not a result record",
        para("""
            On `--resume` the results file is read to check it against the journal. A
            complete line that is not a result record (`{"row", "status", ...}`) means the
            file was edited or belongs to something else; it cannot be checked, so nothing
            is sent or changed. (A line torn by a crash, with no line end, is expected and
            skipped.)
        """),
        plain("""
            {"row": 1, "status": "sent", ...}
            note to self: check row 7
        """),
        plain("""
            {"row": 1, "status": "sent", ...}
        """),
        kind=Kind.OPERATION, found_by=SEND,
    ),
    Rule(
        "vars-file", "The `--vars` file is not a JSON object",
        para("""
            `msgc preview --vars FILE` reads one JSON object: variable values for every spec
            (`{"order_id": "A-1029"}`), or per spec name (`{"order-shipped": {"order_id":
            "A-1029"}}`). A file that is not valid JSON, or holds a list or a string, cannot
            give values.
        """),
        plain("""
            ["A-1029", 3]
        """),
        plain("""
            {"order_id": "A-1029", "eta_days": 3}
        """),
        found_by=("preview",),
    ),
    Rule(
        "webhook-token", "The webhook token is too short or has characters a URL cannot carry",
        para("""
            The providers do not sign their callbacks, so the secret token in the callback
            URL (`MSGC_WEBHOOK_TOKEN`) is the only thing that tells a real callback from a
            forged one. It must be at least 16 characters of A-Z, a-z, 0-9, `.`, `_`, `~` and
            `-` (it is part of a URL). Generate one with
            `python3 -c 'import secrets; print(secrets.token_urlsafe(32))'`.
        """),
        shell("""
            $ MSGC_WEBHOOK_TOKEN=secret msgc webhook
        """),
        shell("""
            $ export MSGC_WEBHOOK_TOKEN=$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')
            $ msgc webhook
        """),
        kind=Kind.OPERATION, found_by=("webhook",),
    ),
    Rule(
        "journal-unreadable", "`msgc report` cannot read a campaign's journal",
        para("""
            A report is built from the campaign's journal (next to its results file),
            which `msgc send --recipients` writes. It is missing, not a journal, or left
            half-written by a crash; after a crash, run that send again with `--resume`
            first, which settles the journal.
        """),
        shell("""
            $ msgc report out.jsonl        # the campaign was never sent
        """),
        shell("""
            $ msgc send order.yaml -p viber --recipients people.csv --results out.jsonl
            $ msgc report out.jsonl
        """),
        kind=Kind.OPERATION, found_by=("report",),
    ),
    Rule(
        "events-db", "The events database cannot be used",
        para("""
            The events database (delivery receipts and replies, written by `msgc webhook`)
            is missing, damaged, from a newer msgc, or a write to it failed. The finding
            names the file and what is wrong; nothing is lost that the provider can send
            again (callbacks are answered 503 and retried by the provider).
        """),
        shell("""
            $ msgc report out.jsonl --events missing.sqlite3
        """),
        shell("""
            $ msgc report out.jsonl --events events.sqlite3
        """),
        kind=Kind.OPERATION, found_by=("webhook", "report", "send"),
    ),
    # -- recipients files ----------------------------------------------------------------------
    Rule(
        "recipients-no-phone", "The recipients file has no `phone` column",
        para("""
            Each row of a recipients file is one message: the `phone` column is the
            recipient, the other columns are the spec's variables (and an optional
            `locale`). The finding suggests a column that looks like the phone column.
        """),
        plain("""
            mobile,order_id
            79001234567,A-1029
        """),
        plain("""
            phone,order_id
            79001234567,A-1029
        """),
        found_by=SEND,
    ),
    Rule(
        "recipients-unknown-column", "A recipients column is not a variable of the spec",
        para("""
            A column that is not `phone`, `locale` or a declared variable is usually a
            misspelt variable, whose values would otherwise be lost. The finding suggests
            the closest variable; `--ignore-extra-columns` drops such columns on purpose.
        """),
        plain("""
            phone,orderid
            79001234567,A-1029
        """),
        plain("""
            phone,order_id
            79001234567,A-1029
        """),
        found_by=SEND,
    ),
    Rule(
        "recipients-empty", "The recipients file has no header row",
        para("""
            A CSV recipients file starts with a header naming its columns
            (`phone,VAR,...`). An empty file, or one whose first row is blank, has none.
        """),
        plain("""
            (an empty file)
        """),
        plain("""
            phone,order_id
            79001234567,A-1029
        """),
        found_by=SEND,
    ),
    Rule(
        "recipients-header", "A recipients column has no name, or the same name twice",
        para("""
            Every column of the header needs a name, and a name may appear once: two
            `order_id` columns would leave it unclear which value a row means.
        """),
        plain("""
            phone,order_id,order_id
            79001234567,A-1029,A-1030
        """),
        plain("""
            phone,order_id
            79001234567,A-1029
        """),
        found_by=SEND,
    ),
    Rule(
        "recipients-csv", "The recipients file is not valid CSV",
        para("""
            The CSV reader stopped, for example at a quoted field whose closing quote is
            missing, so everything after it would be read as one value. The finding gives
            the line; nothing is sent. Fix the quoting (a value with a comma or a line break
            is quoted, and a quote inside it is doubled), or export the file again from the
            spreadsheet.
        """),
        plain("""
            phone,order_id
            79001234567,"A-1029
        """),
        plain("""
            phone,order_id
            79001234567,"A-1029"
        """),
        found_by=SEND,
    ),
    Rule(
        "recipients-encoding", "The recipients file is not valid UTF-8",
        para("""
            Recipients files are read as UTF-8 (a byte-order mark is allowed, as
            spreadsheet programs write one). Export the file as "CSV UTF-8".
        """),
        plain("""
            A CSV exported as Windows-1252.
        """),
        plain("""
            The same CSV exported as "CSV UTF-8".
        """),
        found_by=SEND, help_uri="https://www.rfc-editor.org/rfc/rfc3629",
    ),
    Rule(
        "recipients-ragged-row", "A recipients row has more or fewer fields than the header",
        para("""
            A row whose field count differs from the header's cannot be matched to the
            columns safely (a comma inside an unquoted value shifts every field after it).
            The row is reported as `invalid` and never sent; the others are.
        """),
        plain("""
            phone,order_id,eta_days
            79001234567,A-1029,3,extra
        """),
        plain("""
            phone,order_id,eta_days
            79001234567,A-1029,3
        """),
        found_by=SEND,
    ),
    Rule(
        "recipients-bad-phone", "A recipients row has no phone number, or not a valid one",
        para("""
            Phones are normalised (blanks, dashes, dots, parentheses and a leading `+`
            removed) and must then be 7-15 digits, country code first. A row without one is
            reported as `invalid` and never sent.
        """),
        plain("""
            phone,order_id
            +7 (900) 123,A-1029
        """),
        plain("""
            phone,order_id
            +7 (900) 123-45-67,A-1029
        """),
        found_by=SEND,
    ),
    Rule(
        "recipients-duplicate-phone", "A recipients row repeats the phone number of an earlier row",
        para("""
            Two rows with one phone number send the message twice to one person, which is
            rarely meant (a row copied twice, a number in two formats). msgc warns for each
            repeat (the first few are listed, the summary counts them all) and sends it
            anyway; `--dedupe` skips the repeats instead, recording them as `skipped`.
            Numbers are compared after normalising, so `+7 900 123-45-67` repeats
            `79001234567`.
        """),
        plain("""
            phone,order_id
            79001234567,A-1029
            +7 900 123-45-67,A-1030
        """),
        plain("""
            $ msgc send order.yaml -p viber --recipients people.csv --results out.jsonl --dedupe
        """),
        severity=Severity.WARNING, kind=Kind.OPERATION, found_by=SEND,
    ),
    Rule(
        "recipients-json", "A JSON Lines recipients line is not a JSON object",
        para("""
            In a `.jsonl` recipients file each non-blank line is one JSON object
            (`{"phone": "...", "order_id": "..."}`); values keep their JSON types. A line
            that is not valid JSON, or not an object, is reported as `invalid`.
        """),
        plain("""
            {"phone": "79001234567", "order_id": "A-1029",}
        """),
        plain("""
            {"phone": "79001234567", "order_id": "A-1029"}
        """),
        found_by=SEND, help_uri="https://jsonlines.org/",
    ),
    Rule(
        "recipients-locale", "A recipients row's `locale` is not text",
        para("""
            The `locale` key of a JSON Lines row names one of the spec's locales as text
            (`"ru"`, `"pt-BR"`); a number, list or object cannot name one. The row is
            reported as `invalid` and never sent. Leave the key out (or use `null`) to send
            the default message.
        """),
        plain("""
            {"phone": "79001234567", "order_id": "A-1029", "locale": 7}
        """),
        plain("""
            {"phone": "79001234567", "order_id": "A-1029", "locale": "ru"}
        """),
        found_by=SEND,
    ),
    Rule(
        "recipients-row", "A recipients row cannot be sent",
        para("""
            A row was refused for a reason that has no more specific rule. Like every
            invalid row, it is listed with its line, recorded as `invalid` in the results
            file, and never sent.
        """),
        plain("""
            A row msgc could not read.
        """),
        plain("""
            A row with a valid phone and a value for every variable.
        """),
        found_by=SEND,
    ),
)
