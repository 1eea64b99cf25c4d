"""Catalog entries of the WhatsApp provider (ITNIO Tech's custom message API): what a
WhatsApp message cannot express, the limits of ITNIO's request body, and the answers to a
send request."""

from __future__ import annotations

from ...catalog import PAYLOAD, SEND, SPEC, Example, Kind, Rule, Source
from ...catalog.text import para, payload, shell, spec
from ...diagnostics import Severity

_P = ("whatsapp",)
_DOC = "ITNIO WhatsApp custom message API document"
_BOTH = SPEC + PAYLOAD
_ENVELOPE = ("render", "send", "check-payload")
_SIZES = ("文件大小限制( text:4096字符、audio:16MB、document:100MB、image:5MB、video:16MB、"
          "sticker: 100KB)")
_REFUSED = shell("""
    $ msgc send order.yaml -p whatsapp --to 91856321322 --var order_id=A-1
    order.yaml: error: (whatsapp) the message was rejected: [-68] insufficient balance [whatsapp-send-failed]
      hint: top up the ITNIO account
""")


def _src(where: str, quote: str, note: str | None = None) -> Source:
    return Source(_DOC, where, quote, note)


def _json(content: str, *, app_id: str = '"DGziZf5u"', recipient: str = '"91856321322"',
          channel: str = "0") -> Example:
    """A hand-written WhatsApp payload: the envelope, then ``content`` (JSON members)."""
    return payload(f'{{"appId": {app_id}, "businessPhone": "91856321321", "channelType": '
                   f'{channel},\n "recipient": {recipient}, {content.strip()}}}')


def _may_exceed(rule_id: str, base: str, field: str, limit: str, bad: str, fixed: str
                ) -> Rule:
    return Rule(
        rule_id, f"{field[0].upper()}{field[1:]} can exceed {limit} for some allowed values",
        para(f"""
            With the examples the message fits, but the variables' declared bounds
            (`max_length`, `enum`, `minimum`/`maximum`) allow values that make {field}
            longer than WhatsApp's limit of {limit} (see `{base}`). msgc renders a
            worst-case message, every template at its longest, and lowers and checks it
            like a real one, so fields that WhatsApp builds from several of yours (a
            carousel card's `*title*` and text) are measured as sent; the warning names the
            variables that drive the length.

            Lower the variables' `max_length`, or shorten the fixed text around them.
        """),
        spec(bad), spec(fixed), severity=Severity.WARNING, kind=Kind.ADVICE, providers=_P,
        found_by=("validate", "build"),
    )


RULES = (
    # -- what WhatsApp cannot express ------------------------------------------------------
    Rule(
        "whatsapp-unsupported-otp", "WhatsApp's custom message API has no OTP templates",
        para("""
            ITNIO's custom (free-form) message API sends what a spec describes, but not
            pre-approved templates such as Viber's OTP messages; free-form messages may
            also only be sent within 24 hours of the user's last message.

            Send the code as `text` (within the customer-service window), or drop
            `whatsapp` from this spec's targets.
        """),
        spec("""
            message:
              otp: {template: 1, language: en, params: {pin: "{{ code }}"}}
            variables:
              code: {type: string, max_length: 8, example: "482910"}
            targets:
              whatsapp: {}
        """),
        spec("""
            message:
              text: "Your login code is {{ code }}"
            variables:
              code: {type: string, max_length: 8, example: "482910"}
            targets:
              whatsapp: {}
        """),
        kind=Kind.UNSUPPORTED, providers=_P,
    ),
    Rule(
        "whatsapp-header-needs-interactive", "A WhatsApp header on a message that cannot show one",
        para("""
            WhatsApp shows a header only on interactive list and reply-button messages
            (`menu`, `choices`, reply `buttons`). On a text or media message it has nowhere
            to go.

            Put the heading in `text`, or make the message interactive.
        """),
        spec("""
            message:
              header: Order update
              text: Your order shipped
            targets:
              whatsapp: {}
        """),
        spec("""
            message:
              text: "*Order update*\\nYour order shipped"
            targets:
              whatsapp: {}
        """),
        kind=Kind.UNSUPPORTED, providers=_P,
    ),
    Rule(
        "whatsapp-footer-needs-interactive", "A WhatsApp footer on a message that cannot show one",
        para("""
            WhatsApp shows a footer only on interactive list and reply-button messages
            (`menu`, `choices`, reply `buttons`). On a text or media message it has nowhere
            to go.

            Put it at the end of `text`, or make the message interactive.
        """),
        spec("""
            message:
              text: Your order shipped
              footer: Reply STOP to opt out
            targets:
              whatsapp: {}
        """),
        spec("""
            message:
              text: Your order shipped
              footer: Reply STOP to opt out
              choices: [Track it, Thanks]
            targets:
              whatsapp: {}
        """),
        kind=Kind.UNSUPPORTED, providers=_P,
    ),
    Rule(
        "whatsapp-field-not-allowed", "A WhatsApp message carries a field its message type cannot",
        para("""
            Each WhatsApp message type has a fixed shape: a location, contacts, audio or
            sticker message holds nothing else; an image, video or document takes `text` as
            its caption and nothing more; a carousel takes `text` and its cards; a list or
            reply-button message takes a header, `text` and a footer. A field the chosen
            type cannot carry would be dropped, so msgc refuses it.

            Send it as a separate message, or remove it for WhatsApp with `null` in
            `targets.whatsapp.message`.
        """),
        spec("""
            message:
              text: Visit our store
              location: {latitude: 52.52, longitude: 13.405, name: Store, address: Main St 1}
            targets:
              whatsapp: {}
        """),
        spec("""
            message:
              location: {latitude: 52.52, longitude: 13.405, name: Store, address: Main St 1}
            targets:
              whatsapp: {}
        """),
        kind=Kind.UNSUPPORTED, providers=_P,
    ),
    Rule(
        "whatsapp-unsupported-link-button", "WhatsApp has no link buttons outside a carousel",
        para("""
            ITNIO's custom message API offers reply buttons (which send an answer back) and
            link buttons only on carousel cards (`cta_url`). A `{title, url}` button on any
            other message cannot be sent.

            Put the link in `text` (WhatsApp makes it clickable), or use a carousel with
            one card per link. To keep the button for Viber, override `buttons` for
            WhatsApp.
        """),
        spec("""
            message:
              text: Your order shipped
              buttons: [{title: Track, url: "https://t.example.com/A1"}]
            targets:
              whatsapp: {}
        """),
        spec("""
            message:
              text: "Your order shipped: https://t.example.com/A1"
            targets:
              whatsapp: {}
        """),
        kind=Kind.UNSUPPORTED, providers=_P,
    ),
    Rule(
        "whatsapp-video-field", "A WhatsApp video has a thumbnail, size or duration",
        para("""
            A WhatsApp video is a link and a caption; `thumbnail`, `size` and `duration`
            (which Viber needs) would be dropped, and msgc never drops content silently.

            Keep them for Viber in `targets.viber.message`, or remove them for WhatsApp
            with `null` in `targets.whatsapp.message`.
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
              whatsapp: {}
        """),
        spec("""
            message:
              text: Our new collection
              video: {url: "https://cdn.example.com/a.mp4"}
            targets:
              whatsapp: {}
        """),
        kind=Kind.UNSUPPORTED, providers=_P,
    ),
    Rule(
        "whatsapp-interactive-body", "A WhatsApp interactive message has no text",
        para("""
            List, reply-button, location-request and carousel messages all need a body
            (`text`), shown above the buttons, rows or cards.
        """),
        spec("""
            message:
              choices: [Morning, Afternoon]
            targets:
              whatsapp: {}
        """),
        spec("""
            message:
              text: When should we deliver?
              choices: [Morning, Afternoon]
            targets:
              whatsapp: {}
        """),
        kind=Kind.LIMIT, providers=_P,
        source=_src("interactive › body › text (是, required)", "正文内容"),
    ),
    Rule(
        "whatsapp-reply-button-id", "A WhatsApp reply button has no id",
        para("""
            A reply button (`{title, id}`, or a quick-reply button on a carousel card)
            sends its `id` back when it is tapped, so that your system can tell the answers
            apart; ITNIO requires it. (Reply buttons made from `choices` use the choice's
            id, else its text.)
        """),
        spec("""
            message:
              text: Did the parcel arrive?
              buttons: [{title: "Yes"}]
            targets:
              whatsapp: {}
        """),
        spec("""
            message:
              text: Did the parcel arrive?
              buttons: [{title: "Yes", id: arrived}]
            targets:
              whatsapp: {}
        """),
        kind=Kind.LIMIT, providers=_P,
        source=_src("interactive (button) › reply › id (是, required)",
                    "按钮的唯一标识符。当用户单击按钮时,将在 Webhook 中返回此ID。最大长度:256个字符"),
    ),
    Rule(
        "whatsapp-list-button-label", "A WhatsApp list has no label for the button that opens it",
        para("""
            More than three `choices` (or choices with descriptions) become a WhatsApp
            list, which opens from a button whose label ITNIO requires. Set it in
            `targets.whatsapp.list_button` (and optionally the section title in
            `list_title`), or write the list as a `menu`, which has its own `button`.
            When given, `list_button` cannot be empty.
        """),
        spec("""
            message:
              text: Pick a day
              choices: [Mon, Tue, Wed, Thu]
            targets:
              whatsapp: {}
        """),
        spec("""
            message:
              text: Pick a day
              choices: [Mon, Tue, Wed, Thu]
            targets:
              whatsapp: {list_button: Days}
        """),
        kind=Kind.LIMIT, providers=_P,
        source=_src("interactive (list) › action › button (是, required)",
                    "用户在阅读消息后执行的操作"),
    ),
    Rule(
        "whatsapp-list-section-title", "A WhatsApp list section has no title",
        para("""
            Each section of a WhatsApp list (`menu.sections`) needs a title of 1 to 24
            characters, shown above its rows. A list of one section still needs one
            ("Today", "Options").
        """),
        spec("""
            message:
              text: Pick a time
              menu:
                button: Times
                sections:
                  - rows: [{id: am, title: Morning}, {id: pm, title: Afternoon}]
            targets:
              whatsapp: {}
        """),
        spec("""
            message:
              text: Pick a time
              menu:
                button: Times
                sections:
                  - title: Today
                    rows: [{id: am, title: Morning}, {id: pm, title: Afternoon}]
            targets:
              whatsapp: {}
        """),
        kind=Kind.LIMIT, providers=_P,
        source=_src("interactive (list) › sections › title (是, required)",
                    "节数组的标题,24个字符。"),
    ),
    Rule(
        "whatsapp-location-field", "A WhatsApp location has no name or address",
        para("""
            ITNIO requires a location message's `name` and `address` as well as its
            coordinates; WhatsApp shows them on the map pin. Give both, even if the name is
            just the place's kind ("Pick-up point").
        """),
        spec("""
            message:
              location: {latitude: 52.52, longitude: 13.405}
            targets:
              whatsapp: {}
        """),
        spec("""
            message:
              location: {latitude: 52.52, longitude: 13.405, name: Store, address: Main St 1}
            targets:
              whatsapp: {}
        """),
        kind=Kind.LIMIT, providers=_P,
        source=_src("location › name, address", "位置名称,发送位置消息时必填"),
    ),
    Rule(
        "whatsapp-location-range", "A WhatsApp location's coordinates are off the globe",
        para("""
            Latitude lies within ±90 degrees and longitude within ±180; anything else is
            a mistake, often latitude and longitude swapped.
        """),
        spec("""
            message:
              location: {latitude: 113.4, longitude: 22.5, name: Office, address: Main St 1}
            targets:
              whatsapp: {}
        """),
        spec("""
            message:
              location: {latitude: 22.5, longitude: 113.4, name: Office, address: Main St 1}
            targets:
              whatsapp: {}
        """),
        kind=Kind.INPUT, providers=_P, found_by=_BOTH,
    ),
    # -- carousels -----------------------------------------------------------------------------
    Rule(
        "whatsapp-carousel-card-header", "A WhatsApp carousel card has no image or video, or both",
        para("""
            Each carousel card has a header showing exactly one image or one video. The
            document's table marks the header optional, but its status code -308 says an
            empty one is refused; msgc follows the status code.
        """),
        spec("""
            message:
              text: New this week
              carousel:
                - {title: Blue vase, buttons: [{title: Buy, url: "https://shop.example.com/vase"}]}
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
        kind=Kind.LIMIT, providers=_P,
        source=_src("status codes", "-308 | 轮播交互消息卡片页眉不能为空",
                    "the table marks the header optional; msgc follows the status code"),
    ),
    Rule(
        "whatsapp-carousel-card-body", "A WhatsApp carousel card has neither title nor text",
        para("""
            Each carousel card has body text of 1 to 160 characters. msgc builds it from
            the card's `title` (in bold) and `text`: `*title*` blank line `text`, as the
            document's examples do.
        """),
        spec("""
            message:
              text: New this week
              carousel:
                - image: "https://cdn.example.com/vase.jpg"
                  buttons: [{title: Buy, url: "https://shop.example.com/vase"}]
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
        kind=Kind.LIMIT, providers=_P,
        source=_src("status codes", "-311 | 轮播交互消息卡片正文文本不能为空,并且不能超过160个字符"),
    ),
    Rule(
        "whatsapp-carousel-card-action", "A WhatsApp carousel card has no button",
        para("""
            Each carousel card has an action: one link button (`{title, url}`) or one or
            two quick-reply buttons (`{title, id}`).
        """),
        spec("""
            message:
              text: New this week
              carousel:
                - title: Blue vase
                  image: "https://cdn.example.com/vase.jpg"
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
        kind=Kind.LIMIT, providers=_P,
        source=_src("status codes", "-312 | 轮播交互消息卡片操作按钮action不能为空"),
    ),
    Rule(
        "whatsapp-carousel-card-action-kind",
        "A WhatsApp carousel card mixes a link button and quick replies",
        para("""
            A card's buttons are either one link button (`{title, url}`) or one or two quick
            replies (`{title, id}`), never both (ITNIO answers -331). Make the card's
            buttons all of one kind; a link can go in the text of a quick-reply card's
            answer instead.
        """),
        spec("""
            message:
              text: New this week
              carousel:
                - title: Blue vase
                  image: "https://cdn.example.com/vase.jpg"
                  buttons:
                    - {title: Buy, url: "https://shop.example.com/vase"}
                    - {title: Not for me, id: skip-vase}
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
        kind=Kind.LIMIT, providers=_P, found_by=_BOTH,
        source=_src("status codes", "-331 | 轮播卡片互动按钮类型只能是网址跳转或者快速回复中的一种"),
    ),
    Rule(
        "whatsapp-carousel-card-links", "A WhatsApp carousel card has more than one link button",
        para("""
            A card's action holds one link button. For two links, use two cards, or make the
            second a quick reply on every card (all cards of a carousel use the same kind of
            button, see `whatsapp-carousel-same-action`).
        """),
        spec("""
            message:
              text: New this week
              carousel:
                - title: Blue vase
                  image: "https://cdn.example.com/vase.jpg"
                  buttons:
                    - {title: Buy, url: "https://shop.example.com/vase"}
                    - {title: Details, url: "https://shop.example.com/vase/info"}
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
        kind=Kind.LIMIT, providers=_P,
        source=_src("interactive (carousel) › cards › action",
                    "必填,只能包含1个网址跳转按钮或者1-2个快速回复按钮"),
    ),
    Rule(
        "whatsapp-carousel-same-action", "WhatsApp carousel cards use different kinds of button",
        para("""
            Every card of one carousel uses the same kind of action: all link buttons, or
            all quick replies. (The document states the rule per card, -331; WhatsApp
            applies it across the carousel, and so does msgc.)
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
                  buttons: [{title: Tell me more, id: more-lamp}]
            targets:
              whatsapp: {}
        """),
        spec("""
            message:
              text: New this week
              carousel:
                - title: Blue vase
                  image: "https://cdn.example.com/vase.jpg"
                  buttons: [{title: Tell me more, id: more-vase}]
                - title: Green lamp
                  image: "https://cdn.example.com/lamp.jpg"
                  buttons: [{title: Tell me more, id: more-lamp}]
            targets:
              whatsapp: {}
        """),
        kind=Kind.LIMIT, providers=_P, found_by=_BOTH,
        source=_src("status codes", "-331 | 轮播卡片互动按钮类型只能是网址跳转或者快速回复中的一种",
                    "stated per card; applied across the carousel"),
    ),
    # -- unique answers ------------------------------------------------------------------------
    Rule(
        "whatsapp-reply-button-unique-title", "Two WhatsApp reply buttons have the same title",
        para("""
            Reply-button titles must be unique within a message (compared ignoring case
            and surrounding blanks), or the user cannot tell the buttons apart. This also
            applies to up to three `choices`, which become reply buttons.
        """),
        spec("""
            message:
              text: Did the parcel arrive?
              buttons: [{title: "Yes", id: arrived}, {title: "yes ", id: arrived-late}]
            targets:
              whatsapp: {}
        """),
        spec("""
            message:
              text: Did the parcel arrive?
              buttons: [{title: "Yes", id: arrived}, {title: "Yes, late", id: arrived-late}]
            targets:
              whatsapp: {}
        """),
        kind=Kind.LIMIT, providers=_P, found_by=_BOTH,
        source=_src("interactive (button) › reply › title",
                    "按钮标题。它不能是空字符串,并且在消息中必须是唯一的(需测试)。20个字符"),
    ),
    Rule(
        "whatsapp-reply-button-unique-id", "Two WhatsApp reply buttons have the same id",
        para("""
            A reply button's id is what comes back when it is tapped, so two buttons with
            one id could not be told apart. (Choices without an `id` use their text as
            the id.)
        """),
        spec("""
            message:
              text: Did the parcel arrive?
              buttons: [{title: "Yes", id: answer}, {title: "No", id: answer}]
            targets:
              whatsapp: {}
        """),
        spec("""
            message:
              text: Did the parcel arrive?
              buttons: [{title: "Yes", id: arrived}, {title: "No", id: missing}]
            targets:
              whatsapp: {}
        """),
        kind=Kind.LIMIT, providers=_P, found_by=_BOTH,
        source=_src("interactive (button) › reply › id",
                    "按钮的唯一标识符。当用户单击按钮时,将在 Webhook 中返回此ID。最大长度:256个字符"),
    ),
    Rule(
        "whatsapp-quick-reply-button-unique-title",
        "Two quick replies of one WhatsApp carousel card have the same title",
        para("""
            The quick-reply titles of a card must be unique (ignoring case and surrounding
            blanks). Across cards they may repeat: the document's own example repeats
            "Learn more" on every card.
        """),
        spec("""
            message:
              text: New this week
              carousel:
                - title: Blue vase
                  image: "https://cdn.example.com/vase.jpg"
                  buttons: [{title: More, id: more-vase}, {title: more, id: info-vase}]
                - title: Green lamp
                  image: "https://cdn.example.com/lamp.jpg"
                  buttons: [{title: More, id: more-lamp}]
            targets:
              whatsapp: {}
        """),
        spec("""
            message:
              text: New this week
              carousel:
                - title: Blue vase
                  image: "https://cdn.example.com/vase.jpg"
                  buttons: [{title: More, id: more-vase}, {title: Not for me, id: skip-vase}]
                - title: Green lamp
                  image: "https://cdn.example.com/lamp.jpg"
                  buttons: [{title: More, id: more-lamp}]
            targets:
              whatsapp: {}
        """),
        kind=Kind.LIMIT, providers=_P, found_by=_BOTH,
        source=_src("interactive (carousel) › quick_reply › title",
                    "按钮标题。在消息中必须是唯一的。20个字符",
                    "checked per card: the document's example repeats a title across cards"),
    ),
    Rule(
        "whatsapp-quick-reply-button-unique-id",
        "Two quick replies of one WhatsApp carousel card have the same id",
        para("""
            A quick reply's id is what comes back when it is tapped, so the quick replies of
            one card need different ids, or the answers could not be told apart. Ids may
            repeat across cards; making them name the card (`more-vase`) keeps the answers
            clear.
        """),
        spec("""
            message:
              text: New this week
              carousel:
                - title: Blue vase
                  image: "https://cdn.example.com/vase.jpg"
                  buttons: [{title: More, id: vase}, {title: Not for me, id: vase}]
                - title: Green lamp
                  image: "https://cdn.example.com/lamp.jpg"
                  buttons: [{title: More, id: more-lamp}]
            targets:
              whatsapp: {}
        """),
        spec("""
            message:
              text: New this week
              carousel:
                - title: Blue vase
                  image: "https://cdn.example.com/vase.jpg"
                  buttons: [{title: More, id: more-vase}, {title: Not for me, id: skip-vase}]
                - title: Green lamp
                  image: "https://cdn.example.com/lamp.jpg"
                  buttons: [{title: More, id: more-lamp}]
            targets:
              whatsapp: {}
        """),
        kind=Kind.LIMIT, providers=_P, found_by=_BOTH,
        source=_src("interactive (carousel) › quick_reply › id",
                    "按钮的唯一标识符。当用户单击按钮时,将在 Webhook 中返回此ID。最大长度:20个字符"),
    ),
    Rule(
        "whatsapp-list-rows-total", "A WhatsApp list has more than 10 rows in all",
        para("""
            A WhatsApp list holds at most 10 rows, counted across all its sections (each
            section may hold 10, see `whatsapp-list-rows-count`, but not in total).
        """),
        spec("""
            message:
              text: Pick a slot
              menu:
                button: Slots
                sections:
                  - title: Monday
                    rows: [{id: m1, title: "9:00"}, {id: m2, title: "10:00"}, {id: m3, title: "11:00"},
                           {id: m4, title: "12:00"}, {id: m5, title: "13:00"}, {id: m6, title: "14:00"}]
                  - title: Tuesday
                    rows: [{id: t1, title: "9:00"}, {id: t2, title: "10:00"}, {id: t3, title: "11:00"},
                           {id: t4, title: "12:00"}, {id: t5, title: "13:00"}]
            targets:
              whatsapp: {}
        """),
        spec("""
            message:
              text: Pick a slot
              menu:
                button: Slots
                sections:
                  - title: Monday
                    rows: [{id: m1, title: "9:00"}, {id: m2, title: "10:00"}, {id: m3, title: "11:00"},
                           {id: m4, title: "12:00"}, {id: m5, title: "13:00"}]
                  - title: Tuesday
                    rows: [{id: t1, title: "9:00"}, {id: t2, title: "10:00"}, {id: t3, title: "11:00"},
                           {id: t4, title: "12:00"}, {id: t5, title: "13:00"}]
            targets:
              whatsapp: {}
        """),
        kind=Kind.LIMIT, providers=_P, found_by=_BOTH,
        source=_src("interactive (list) › sections › rows", "行数组。您总共可以有10行。"),
    ),
    # -- the request body: envelope ------------------------------------------------------------
    Rule(
        "whatsapp-app-id-non-empty", "The WhatsApp `appId` is empty",
        para("""
            `appId` names the ITNIO application that sends the message. It comes from
            `--app-id`, the spec's `targets.whatsapp.app_id`, `ITNIO_APP_ID` or the config's
            `[envelope]` table, and cannot be empty.
        """),
        _json('"type": "text", "text": {"body": "Hi"}', app_id='""'),
        _json('"type": "text", "text": {"body": "Hi"}'),
        kind=Kind.LIMIT, providers=_P, found_by=_ENVELOPE,
        source=_src("body › appId (是, required)", "应用Id"),
    ),
    Rule(
        "whatsapp-app-id", "The spec's `targets.whatsapp.app_id` is empty",
        para("""
            A spec may name its ITNIO application in `targets.whatsapp.app_id` (an
            identifier, not a secret). When given, it cannot be empty; leave the key out to
            take it from `--app-id`, `ITNIO_APP_ID` or the config's `[envelope]`.
        """),
        spec("""
            message:
              text: Your order shipped
            targets:
              whatsapp: {app_id: ""}
        """),
        spec("""
            message:
              text: Your order shipped
            targets:
              whatsapp: {app_id: DGziZf5u}
        """),
        kind=Kind.INPUT, providers=_P,
    ),
    Rule(
        "whatsapp-business-phone-digits", "The WhatsApp business number is not 7-14 digits",
        para("""
            `businessPhone`, the WhatsApp number the message is sent from, is a string of
            7 to 14 digits (ITNIO answers -93, -94 or -95 otherwise), one fewer than E.164
            allows. In a spec or the config it may be written with `+`, blanks and dashes,
            which msgc removes. The document's table says String while some examples send a
            number: msgc sends a string, and `check-payload` refuses a number.
        """),
        spec("""
            message:
              text: Your order shipped
            targets:
              whatsapp: {business_phone: "+91 856 321 321 1234"}
        """),
        spec("""
            message:
              text: Your order shipped
            targets:
              whatsapp: {business_phone: "91856321321"}
        """),
        kind=Kind.LIMIT, providers=_P, found_by=_BOTH,
        source=_src("status codes -93, -94, -95", "-93 | 商家号码长度不能大于14位"),
    ),
    Rule(
        "whatsapp-phone-digits", "The WhatsApp recipient is not 7-14 digits",
        para("""
            `recipient` is a string of 7 to 14 digits, country code first (ITNIO answers
            -70, -71 or -72 otherwise). `--to` and recipients files accept `+`, spaces,
            dashes, dots and parentheses and remove them.
        """),
        _json('"type": "text", "text": {"body": "Hi"}', recipient='"+91 85632 1322"'),
        _json('"type": "text", "text": {"body": "Hi"}'),
        kind=Kind.LIMIT, providers=_P, found_by=_ENVELOPE,
        source=_src("status codes -70, -71, -72", "-70 | 接收人号码长度不能大于14位"),
        help_uri="https://www.itu.int/rec/T-REC-E.164",
    ),
    Rule(
        "whatsapp-channel-type", "The WhatsApp `channelType` is not 0",
        para("""
            `channelType` is always the integer 0 (WhatsApp); ITNIO answers -112 otherwise,
            and a string `"0"` is not the integer. msgc always sends 0; this finding
            concerns hand-written payloads.
        """),
        _json('"type": "text", "text": {"body": "Hi"}', channel='"0"'),
        _json('"type": "text", "text": {"body": "Hi"}'),
        kind=Kind.LIMIT, providers=_P, found_by=PAYLOAD,
        source=_src("status codes", "-112 | channelType在参数中只能为0"),
    ),
    Rule(
        "whatsapp-message-type", "The WhatsApp message `type` is not one ITNIO knows",
        para("""
            `type` is one of text, image, audio, video, location, document, sticker,
            interactive and contacts (ITNIO answers -132 otherwise). msgc picks it from the
            message's content.
        """),
        _json('"type": "voice", "voice": {"link": "https://cdn.example.com/a.ogg"}'),
        _json('"type": "audio", "audio": {"link": "https://cdn.example.com/a.ogg"}'),
        kind=Kind.LIMIT, providers=_P, found_by=PAYLOAD,
        source=_src("status codes", "-132 | 未知消息类型"),
    ),
    Rule(
        "whatsapp-content-object", "The WhatsApp content object does not match the message `type`",
        para("""
            A WhatsApp payload carries exactly one content object, named after its type: a
            `type: image` message has an `image` object and no `text`, `video` or other
            one (ITNIO answers -114, -116, ... "must not be empty" when it is missing).
        """),
        _json('"type": "image", "text": {"body": "Hi"}'),
        _json('"type": "image", "image": {"link": "https://cdn.example.com/a.jpg"}'),
        kind=Kind.LIMIT, providers=_P, found_by=PAYLOAD,
        source=_src("status codes", "-116 | 图片消息image不能为空"),
    ),
    Rule(
        "whatsapp-url", "A WhatsApp link is not an http(s) URL",
        para("""
            Media links and carousel button URLs are fetched or opened by WhatsApp and
            must be `http://` or `https://` URLs (ITNIO answers -133 otherwise).
        """),
        spec("""
            message:
              image: "cdn.example.com/sale.jpg"
            targets:
              whatsapp: {}
        """),
        spec("""
            message:
              image: "https://cdn.example.com/sale.jpg"
            targets:
              whatsapp: {}
        """),
        kind=Kind.LIMIT, providers=_P, found_by=_BOTH,
        source=_src("status codes", "-133 | link链接地址格式错误"),
    ),
    Rule(
        "whatsapp-ref-message-id-non-empty", "A WhatsApp reply names an empty message id",
        para("""
            `reply_to` (ITNIO's `context.refMessageId`) is the id of the inbound message
            being answered; when given it cannot be empty (an empty one usually comes from
            a variable that rendered to nothing).
        """),
        spec("""
            message:
              text: Thanks, we got your photo
              reply_to: ""
            targets:
              whatsapp: {}
        """),
        spec("""
            message:
              text: Thanks, we got your photo
              reply_to: "{{ inbound_id }}"
            variables:
              inbound_id: {type: string, max_length: 64, example: wamid.ABC}
            targets:
              whatsapp: {}
        """),
        kind=Kind.LIMIT, providers=_P, found_by=_BOTH,
        source=_src("context › refMessageId", "回复上行消息id"),
    ),
    # -- text, media, location, contacts -------------------------------------------------------
    Rule(
        "whatsapp-text-length", "A WhatsApp text is empty or longer than 4,096 characters",
        para("""
            A WhatsApp text message's body is 1 to 4,096 characters, counted in Unicode code
            points. An empty body usually comes from a variable that rendered to nothing; a
            longer text must be split into several messages.
        """),
        spec("""
            message:
              text: ""
            targets:
              whatsapp: {}
        """),
        spec("""
            message:
              text: Your order shipped
            targets:
              whatsapp: {}
        """),
        kind=Kind.LIMIT, providers=_P, found_by=_BOTH,
        source=_src("body › type (size limits)",
                    _SIZES),
    ),
    Rule(
        "whatsapp-coordinate-format", "A WhatsApp coordinate is not a plain decimal number",
        para("""
            ITNIO types latitude and longitude as strings holding a decimal number
            (`"62.636152267456"`). msgc writes numbers that way; a value that renders in
            exponent form (`1e-07`) or with other characters is refused.

            Write the coordinate as a plain decimal (`0.0000001`).
        """),
        spec("""
            message:
              location: {latitude: "1e-7", longitude: 13.405, name: Buoy, address: Gulf of Guinea}
            targets:
              whatsapp: {}
        """),
        spec("""
            message:
              location: {latitude: "0.0000001", longitude: 13.405, name: Buoy, address: Gulf of Guinea}
            targets:
              whatsapp: {}
        """),
        kind=Kind.LIMIT, providers=_P, found_by=_BOTH,
        source=_src("location › longitude, latitude (String)", "经度,发送位置消息时必填"),
    ),
    Rule(
        "whatsapp-contacts-count", "A WhatsApp contacts message has no contact",
        para("""
            A contacts message carries at least one contact card, each with at least a
            `name.formatted_name`. msgc's spec format already refuses an empty `contacts`
            list; this finding concerns hand-written payloads.
        """),
        _json('"type": "contacts", "contacts": []'),
        _json('"type": "contacts", "contacts": [{"name": {"formatted_name": "Support"}}]'),
        kind=Kind.LIMIT, providers=_P, found_by=PAYLOAD,
        source=_src("contacts", "联系人消息"),
    ),
    Rule(
        "whatsapp-contact-info-type", "A WhatsApp contact's address, email or URL type is not HOME or WORK",
        para("""
            The `type` of a contact's address, email or URL is `HOME` or `WORK`, in
            capitals; other labels (`Office`, `home`) are not part of ITNIO's contact
            format. Leave `type` out when neither fits.
        """),
        spec("""
            message:
              contacts:
                - name: {formatted_name: Support}
                  emails: [{email: help@example.com, type: Office}]
            targets:
              whatsapp: {}
        """),
        spec("""
            message:
              contacts:
                - name: {formatted_name: Support}
                  emails: [{email: help@example.com, type: WORK}]
            targets:
              whatsapp: {}
        """),
        kind=Kind.LIMIT, providers=_P, found_by=_BOTH,
        source=_src("contacts › addresses, emails, urls › type", "地址类型:HOME(家庭)、WORK(工作)"),
    ),
    Rule(
        "whatsapp-contact-phone-type", "A WhatsApp contact's phone type is not one ITNIO lists",
        para("""
            The `type` of a contact's phone is `CELL`, `MAIN`, `IPHONE`, `HOME` or `WORK`,
            in capitals (`mobile` is `CELL`). Leave `type` out when none fits.
        """),
        spec("""
            message:
              contacts:
                - name: {formatted_name: Support}
                  phones: [{phone: "+49 30 1234567", type: mobile}]
            targets:
              whatsapp: {}
        """),
        spec("""
            message:
              contacts:
                - name: {formatted_name: Support}
                  phones: [{phone: "+49 30 1234567", type: CELL}]
            targets:
              whatsapp: {}
        """),
        kind=Kind.LIMIT, providers=_P, found_by=_BOTH,
        source=_src("contacts › phones › type", "类型:CELL、MAIN、IPHONE、HOME、WORK"),
    ),
    Rule(
        "whatsapp-contact-birthday-format", "A WhatsApp contact's birthday is not YYYY-MM-DD",
        para("""
            A contact's `birthday` is written `YYYY-MM-DD` (`1995-01-11`): year first, with
            dashes. Other orders (`10.12.1815`, `12/10/1815`) are ambiguous and refused.
            Quote it in YAML so that it stays text.
        """),
        spec("""
            message:
              contacts:
                - name: {formatted_name: Ada Lovelace}
                  birthday: 10.12.1815
            targets:
              whatsapp: {}
        """),
        spec("""
            message:
              contacts:
                - name: {formatted_name: Ada Lovelace}
                  birthday: "1815-12-10"
            targets:
              whatsapp: {}
        """),
        kind=Kind.LIMIT, providers=_P, found_by=_BOTH,
        source=_src("contacts › birthday", "生日,YYYY-MM-DD格式"),
    ),
    # -- interactive messages -----------------------------------------------------------------
    Rule(
        "whatsapp-interactive-type", "The WhatsApp interactive `type` is not one ITNIO knows",
        para("""
            An interactive message is a `list`, `button`, `location_request_message` or
            `carousel` (ITNIO answers -165 otherwise). msgc picks it from the message's
            content.
        """),
        _json('"type": "interactive", "interactive": {"type": "product", "body": {"text": "Hi"}}'),
        _json('"type": "interactive", "interactive": {"type": "location_request_message", '
              '"body": {"text": "Where are you?"}, "action": {"name": "send_location"}}'),
        kind=Kind.LIMIT, providers=_P, found_by=PAYLOAD,
        source=_src("status codes", "-165 | 自定义互动消息类型必须是 list、button、"
                                    "location_request_message、carousel 中的一种"),
    ),
    Rule(
        "whatsapp-interactive-header-type", "A WhatsApp interactive header is not of type text",
        para("""
            The header of a list or reply-button message is text: `{"type": "text",
            "text": ...}`. (The table says `interactive` for its type; the example sends
            `text` and documents only a text field, and msgc follows the example.)
        """),
        _json('"type": "interactive", "interactive": {"type": "button", '
              '"header": {"type": "image", "text": "Hi"}, "body": {"text": "Arrived?"}, '
              '"action": {"buttons": [{"type": "reply", "reply": {"id": "y", "title": "Yes"}}]}}'),
        _json('"type": "interactive", "interactive": {"type": "button", '
              '"header": {"type": "text", "text": "Hi"}, "body": {"text": "Arrived?"}, '
              '"action": {"buttons": [{"type": "reply", "reply": {"id": "y", "title": "Yes"}}]}}'),
        kind=Kind.LIMIT, providers=_P, found_by=PAYLOAD,
        source=_src("interactive (list) › header › type", "页眉的类型,interactive",
                    "the example sends \"text\"; msgc follows the example"),
    ),
    Rule(
        "whatsapp-interactive-body-length",
        "A WhatsApp interactive body is empty or longer than 4,096 characters",
        para("""
            The body text of a list or reply-button message is required, and held to
            WhatsApp's text limit of 4,096 characters (the document gives the interactive
            body no limit of its own).
        """),
        spec("""
            message:
              text: ""
              choices: [Morning, Afternoon]
            targets:
              whatsapp: {}
        """),
        spec("""
            message:
              text: When should we deliver?
              choices: [Morning, Afternoon]
            targets:
              whatsapp: {}
        """),
        kind=Kind.LIMIT, providers=_P, found_by=_BOTH,
        source=_src("body › type (size limits)",
                    _SIZES,
                    "the text limit, applied to interactive bodies"),
    ),
    Rule(
        "whatsapp-list-button-non-empty", "A WhatsApp list's button label is empty",
        para("""
            The label of the button that opens a list (`menu.button`, or
            `targets.whatsapp.list_button` for long `choices`) cannot be empty.
        """),
        spec("""
            message:
              text: Pick a time
              menu:
                button: ""
                sections:
                  - title: Today
                    rows: [{id: am, title: Morning}, {id: pm, title: Afternoon}]
            targets:
              whatsapp: {}
        """),
        spec("""
            message:
              text: Pick a time
              menu:
                button: Times
                sections:
                  - title: Today
                    rows: [{id: am, title: Morning}, {id: pm, title: Afternoon}]
            targets:
              whatsapp: {}
        """),
        kind=Kind.LIMIT, providers=_P, found_by=_BOTH,
        source=_src("interactive (list) › action › button (是, required)", "用户在阅读消息后执行的操作"),
    ),
    Rule(
        "whatsapp-list-sections-count", "A WhatsApp list has more than 10 sections",
        para("""
            A WhatsApp list has 1 to 10 sections, and 10 rows in all (see `whatsapp-list-
            rows-total`), so more than ten sections cannot be sent. Merge sections, or split
            the list into several messages.
        """),
        spec("""
            message:
              text: Pick a day
              menu:
                button: Days
                sections:
                  - {title: "1", rows: [{id: d1, title: Mon}]}
                  - {title: "2", rows: [{id: d2, title: Tue}]}
                  - {title: "3", rows: [{id: d3, title: Wed}]}
                  - {title: "4", rows: [{id: d4, title: Thu}]}
                  - {title: "5", rows: [{id: d5, title: Fri}]}
                  - {title: "6", rows: [{id: d6, title: Sat}]}
                  - {title: "7", rows: [{id: d7, title: Sun}]}
                  - {title: "8", rows: [{id: d8, title: Mon}]}
                  - {title: "9", rows: [{id: d9, title: Tue}]}
                  - {title: "10", rows: [{id: d10, title: Wed}]}
                  - {title: "11", rows: [{id: d11, title: Thu}]}
            targets:
              whatsapp: {}
        """),
        spec("""
            message:
              text: Pick a day
              menu:
                button: Days
                sections:
                  - title: This week
                    rows: [{id: d1, title: Mon}, {id: d2, title: Tue}, {id: d3, title: Wed}]
            targets:
              whatsapp: {}
        """),
        kind=Kind.LIMIT, providers=_P, found_by=_BOTH,
        source=_src("interactive (list) › action › sections", "节数组。最少1个,最多10个。"),
    ),
    Rule(
        "whatsapp-section-title-length", "A WhatsApp list section title is empty or over 24 characters",
        para("""
            A list section's title (`menu.sections[].title`, or
            `targets.whatsapp.list_title` for long `choices`) is 1 to 24 characters.
        """),
        spec("""
            message:
              text: Pick a time
              menu:
                button: Times
                sections:
                  - title: Available delivery slots today
                    rows: [{id: am, title: Morning}, {id: pm, title: Afternoon}]
            targets:
              whatsapp: {}
        """),
        spec("""
            message:
              text: Pick a time
              menu:
                button: Times
                sections:
                  - title: Slots today
                    rows: [{id: am, title: Morning}, {id: pm, title: Afternoon}]
            targets:
              whatsapp: {}
        """),
        kind=Kind.LIMIT, providers=_P, found_by=_BOTH,
        source=_src("interactive (list) › sections › title", "节数组的标题,24个字符。"),
    ),
    Rule(
        "whatsapp-list-rows-count", "A WhatsApp list section has more than 10 rows",
        para("""
            A list section has 1 to 10 rows (and the whole list 10 rows in all). Seven to
            ten options of `choices` become one section; more cannot be sent as one list.
        """),
        spec("""
            message:
              text: Pick a slot
              choices: ["8:00", "9:00", "10:00", "11:00", "12:00", "13:00",
                        "14:00", "15:00", "16:00", "17:00", "18:00"]
            targets:
              whatsapp: {list_button: Slots}
        """),
        spec("""
            message:
              text: Pick a slot
              choices: ["8:00", "9:00", "10:00", "11:00", "12:00", "13:00",
                        "14:00", "15:00", "16:00", "17:00"]
            targets:
              whatsapp: {list_button: Slots}
        """),
        kind=Kind.LIMIT, providers=_P, found_by=_BOTH,
        source=_src("interactive (list) › sections › rows", "行数组。您总共可以有10行。"),
    ),
    Rule(
        "whatsapp-row-id-length", "A WhatsApp list row id is empty or over 200 characters",
        para("""
            A list row's id (sent back when the row is picked) is 1 to 200 characters.
            For `choices` the id is the choice's `id`, else its text.
        """),
        spec("""
            message:
              text: Pick a time
              menu:
                button: Times
                sections:
                  - title: Today
                    rows: [{id: "", title: Morning}, {id: pm, title: Afternoon}]
            targets:
              whatsapp: {}
        """),
        spec("""
            message:
              text: Pick a time
              menu:
                button: Times
                sections:
                  - title: Today
                    rows: [{id: am, title: Morning}, {id: pm, title: Afternoon}]
            targets:
              whatsapp: {}
        """),
        kind=Kind.LIMIT, providers=_P, found_by=_BOTH,
        source=_src("interactive (list) › rows › id", "行的编号,200个字符"),
    ),
    Rule(
        "whatsapp-row-title-length", "A WhatsApp list row title is empty or over 24 characters",
        para("""
            A list row's title is 1 to 24 characters; longer wording belongs in its
            `description` (up to 72 characters), which is shown under the title.
        """),
        spec("""
            message:
              text: Pick a time
              menu:
                button: Times
                sections:
                  - title: Today
                    rows: [{id: am, title: "Morning, between 8 and 12"}, {id: pm, title: Afternoon}]
            targets:
              whatsapp: {}
        """),
        spec("""
            message:
              text: Pick a time
              menu:
                button: Times
                sections:
                  - title: Today
                    rows:
                      - {id: am, title: Morning, description: between 8 and 12}
                      - {id: pm, title: Afternoon}
            targets:
              whatsapp: {}
        """),
        kind=Kind.LIMIT, providers=_P, found_by=_BOTH,
        source=_src("interactive (list) › rows › title", "行的标题,24个字符"),
    ),
    Rule(
        "whatsapp-row-description-length", "A WhatsApp list row description is over 72 characters",
        para("""
            A list row's description, shown under its title, is at most 72 characters. Keep
            it to a short qualifier ("8-12, the courier calls first"); the details belong in
            the message text.
        """),
        spec("""
            message:
              text: Pick a time
              menu:
                button: Times
                sections:
                  - title: Today
                    rows:
                      - id: am
                        title: Morning
                        description: >-
                          Between 8:00 and 12:00; the courier calls you half an hour
                          before arriving
                      - {id: pm, title: Afternoon}
            targets:
              whatsapp: {}
        """),
        spec("""
            message:
              text: Pick a time
              menu:
                button: Times
                sections:
                  - title: Today
                    rows:
                      - {id: am, title: Morning, description: "8-12, the courier calls first"}
                      - {id: pm, title: Afternoon}
            targets:
              whatsapp: {}
        """),
        kind=Kind.LIMIT, providers=_P, found_by=_BOTH,
        source=_src("interactive (list) › rows › description", "行的描述,72个字符"),
    ),
    Rule(
        "whatsapp-reply-buttons-count", "A WhatsApp message has more than 3 reply buttons",
        para("""
            A reply-button message has 1 to 3 buttons. (More than three `choices` become
            a list instead; explicit reply `buttons` do not.)
        """),
        spec("""
            message:
              text: How was your delivery?
              buttons:
                - {title: Great, id: "5"}
                - {title: Good, id: "4"}
                - {title: Poor, id: "2"}
                - {title: Bad, id: "1"}
            targets:
              whatsapp: {}
        """),
        spec("""
            message:
              text: How was your delivery?
              buttons:
                - {title: Great, id: "5"}
                - {title: Good, id: "4"}
                - {title: Poor, id: "2"}
            targets:
              whatsapp: {}
        """),
        kind=Kind.LIMIT, providers=_P, found_by=_BOTH,
        source=_src("interactive (button) › buttons › type", "回复按钮支持的类型:reply。最多支持三个按钮"),
    ),
    Rule(
        "whatsapp-reply-button-type", "A WhatsApp reply button's `type` is not `reply`",
        para("""
            Each button of a reply-button message is `{"type": "reply", "reply": {id,
            title}}`; `quick_reply` is the carousel's kind of button, not this one. msgc
            always writes `reply`; this finding concerns hand-written payloads.
        """),
        _json('"type": "interactive", "interactive": {"type": "button", "body": {"text": "Arrived?"}, '
              '"action": {"buttons": [{"type": "quick_reply", "reply": {"id": "y", "title": "Yes"}}]}}'),
        _json('"type": "interactive", "interactive": {"type": "button", "body": {"text": "Arrived?"}, '
              '"action": {"buttons": [{"type": "reply", "reply": {"id": "y", "title": "Yes"}}]}}'),
        kind=Kind.LIMIT, providers=_P, found_by=PAYLOAD,
        source=_src("interactive (button) › buttons › type", "回复按钮支持的类型:reply。最多支持三个按钮"),
    ),
    Rule(
        "whatsapp-reply-id-length", "A WhatsApp reply button id is empty or over 256 characters",
        para("""
            A reply button's id, sent back when it is tapped, is 1 to 256 characters. An
            empty id usually comes from a variable that rendered to nothing; a long one from
            putting data in the id that belongs in your own records.
        """),
        spec("""
            message:
              text: Did the parcel arrive?
              buttons: [{title: "Yes", id: ""}]
            targets:
              whatsapp: {}
        """),
        spec("""
            message:
              text: Did the parcel arrive?
              buttons: [{title: "Yes", id: arrived}]
            targets:
              whatsapp: {}
        """),
        kind=Kind.LIMIT, providers=_P, found_by=_BOTH,
        source=_src("interactive (button) › reply › id",
                    "按钮的唯一标识符。当用户单击按钮时,将在 Webhook 中返回此ID。最大长度:256个字符"),
    ),
    Rule(
        "whatsapp-reply-title-length", "A WhatsApp reply button title is empty or over 20 characters",
        para("""
            A reply button's title is 1 to 20 characters. This applies to up to three
            `choices` too, which become reply buttons.
        """),
        spec("""
            message:
              text: Did the parcel arrive?
              buttons: [{title: "Yes, it arrived safely", id: arrived}]
            targets:
              whatsapp: {}
        """),
        spec("""
            message:
              text: Did the parcel arrive?
              buttons: [{title: "Yes, it arrived", id: arrived}]
            targets:
              whatsapp: {}
        """),
        kind=Kind.LIMIT, providers=_P, found_by=_BOTH,
        source=_src("interactive (button) › reply › title",
                    "按钮标题。它不能是空字符串,并且在消息中必须是唯一的(需测试)。20个字符"),
    ),
    Rule(
        "whatsapp-location-request-body-non-empty", "A WhatsApp location request has empty text",
        para("""
            A location request (`request_location: true`) shows its `text` as the question
            next to the "Send location" button; it cannot be empty. An empty one usually
            comes from a variable that rendered to nothing.
        """),
        spec("""
            message:
              text: ""
              request_location: true
            targets:
              whatsapp: {}
        """),
        spec("""
            message:
              text: Where should the courier come?
              request_location: true
            targets:
              whatsapp: {}
        """),
        kind=Kind.LIMIT, providers=_P, found_by=_BOTH,
        source=_src("interactive (location_request_message) › body › text (是, required)", "正文内容"),
    ),
    Rule(
        "whatsapp-location-request-action-name",
        "A WhatsApp location request's action is not `send_location`",
        para("""
            A location request's action is always `{"name": "send_location"}`, a fixed value
            in ITNIO's document. msgc always writes it; this finding concerns hand-written
            payloads.
        """),
        _json('"type": "interactive", "interactive": {"type": "location_request_message", '
              '"body": {"text": "Where are you?"}, "action": {"name": "share_location"}}'),
        _json('"type": "interactive", "interactive": {"type": "location_request_message", '
              '"body": {"text": "Where are you?"}, "action": {"name": "send_location"}}'),
        kind=Kind.LIMIT, providers=_P, found_by=PAYLOAD,
        source=_src("interactive (location_request_message) › action › name", "send_location(固定值)"),
    ),
    # -- carousel body -------------------------------------------------------------------------
    Rule(
        "whatsapp-carousel-no-header-footer", "A WhatsApp carousel has a header or footer",
        para("""
            Carousel messages have no header and no footer (ITNIO answers -304): only the
            body text above the cards, and the cards. Put a heading in the body text.
        """),
        _json('"type": "interactive", "interactive": {"type": "carousel", '
              '"header": {"type": "text", "text": "New"}, "body": {"text": "New this week"}, '
              '"action": {"cards": []}}'),
        _json('"type": "interactive", "interactive": {"type": "carousel", '
              '"body": {"text": "New this week"}, "action": {"cards": ['
              '{"card_index": 0, "type": "cta_url", "header": {"type": "image", "image": '
              '{"link": "https://cdn.example.com/vase.jpg"}}, "body": {"text": "Blue vase"}, '
              '"action": {"name": "cta_url", "parameters": {"display_text": "Buy", '
              '"url": "https://shop.example.com/vase"}}}, '
              '{"card_index": 1, "type": "cta_url", "header": {"type": "image", "image": '
              '{"link": "https://cdn.example.com/lamp.jpg"}}, "body": {"text": "Green lamp"}, '
              '"action": {"name": "cta_url", "parameters": {"display_text": "Buy", '
              '"url": "https://shop.example.com/lamp"}}}]}}'),
        kind=Kind.LIMIT, providers=_P, found_by=PAYLOAD,
        source=_src("status codes", "-304 | 轮播交互消息不支持页眉和页脚组件"),
    ),
    Rule(
        "whatsapp-carousel-body-length", "A WhatsApp carousel's text is empty or over 1,024 characters",
        para("""
            The text above a carousel's cards is required and at most 1,024 characters
            (ITNIO answers -330). The cards carry their own text (160 characters each), so
            the message text only introduces them.
        """),
        spec("""
            message:
              text: ""
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
        kind=Kind.LIMIT, providers=_P, found_by=_BOTH,
        source=_src("status codes", "-330 | 轮播交互消息正文内容不能为空,且最大1024个字符"),
    ),
    Rule(
        "whatsapp-carousel-cards-count", "A WhatsApp carousel has fewer than 2 or more than 10 cards",
        para("""
            A WhatsApp carousel holds 2 to 10 cards (ITNIO answers -305). A single card is
            better sent as an image or video with a caption; more than ten must be split
            into several carousels.
        """),
        spec("""
            message:
              text: New this week
              carousel:
                - title: Blue vase
                  image: "https://cdn.example.com/vase.jpg"
                  buttons: [{title: Buy, url: "https://shop.example.com/vase"}]
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
        kind=Kind.LIMIT, providers=_P, found_by=_BOTH,
        source=_src("status codes", "-305 | 轮播交互消息只允许有2-10张卡片"),
    ),
    Rule(
        "whatsapp-carousel-card-index", "WhatsApp carousel card indexes are not 0, 1, 2 and so on, in order",
        para("""
            Cards are numbered by `card_index`, 0 to 9, starting at 0, without gaps or
            repeats, in order (ITNIO answers -306). msgc numbers them itself.
        """),
        _json('"type": "interactive", "interactive": {"type": "carousel", '
              '"body": {"text": "New this week"}, "action": {"cards": ['
              '{"card_index": 1, "type": "cta_url", "header": {"type": "image", "image": '
              '{"link": "https://cdn.example.com/vase.jpg"}}, "body": {"text": "Blue vase"}, '
              '"action": {"name": "cta_url", "parameters": {"display_text": "Buy", '
              '"url": "https://shop.example.com/vase"}}}, '
              '{"card_index": 2, "type": "cta_url", "header": {"type": "image", "image": '
              '{"link": "https://cdn.example.com/lamp.jpg"}}, "body": {"text": "Green lamp"}, '
              '"action": {"name": "cta_url", "parameters": {"display_text": "Buy", '
              '"url": "https://shop.example.com/lamp"}}}]}}'),
        _json('"type": "interactive", "interactive": {"type": "carousel", '
              '"body": {"text": "New this week"}, "action": {"cards": ['
              '{"card_index": 0, "type": "cta_url", "header": {"type": "image", "image": '
              '{"link": "https://cdn.example.com/vase.jpg"}}, "body": {"text": "Blue vase"}, '
              '"action": {"name": "cta_url", "parameters": {"display_text": "Buy", '
              '"url": "https://shop.example.com/vase"}}}, '
              '{"card_index": 1, "type": "cta_url", "header": {"type": "image", "image": '
              '{"link": "https://cdn.example.com/lamp.jpg"}}, "body": {"text": "Green lamp"}, '
              '"action": {"name": "cta_url", "parameters": {"display_text": "Buy", '
              '"url": "https://shop.example.com/lamp"}}}]}}'),
        kind=Kind.LIMIT, providers=_P, found_by=PAYLOAD,
        source=_src("status codes", "-306 | 轮播交互消息卡片索引值只能为0-9,从0开始不重复且连续"),
    ),
    Rule(
        "whatsapp-carousel-card-text-length",
        "A WhatsApp carousel card's body is empty or over 160 characters",
        para("""
            A card's body text is 1 to 160 characters (ITNIO answers -311). msgc builds it
            from the card's `title` and `text` as `*title*`, a blank line, then `text`, so
            the limit counts both plus four characters.
        """),
        spec("""
            message:
              text: New this week
              carousel:
                - title: Blue vase
                  text: >-
                    Hand-thrown stoneware vase in a deep cobalt glaze, 30 cm tall, made in
                    our workshop and signed by the potter; every piece is unique and ships
                    in recycled packaging
                  image: "https://cdn.example.com/vase.jpg"
                  buttons: [{title: Buy, url: "https://shop.example.com/vase"}]
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
                  text: Hand-thrown stoneware in a cobalt glaze, 30 cm tall
                  image: "https://cdn.example.com/vase.jpg"
                  buttons: [{title: Buy, url: "https://shop.example.com/vase"}]
                - title: Green lamp
                  image: "https://cdn.example.com/lamp.jpg"
                  buttons: [{title: Buy, url: "https://shop.example.com/lamp"}]
            targets:
              whatsapp: {}
        """),
        kind=Kind.LIMIT, providers=_P, found_by=_BOTH,
        source=_src("interactive (carousel) › cards › body › text", "正文文本,不超过160个字符"),
    ),
    Rule(
        "whatsapp-carousel-card-type", "A WhatsApp carousel card's `type` is not `cta_url`",
        para("""
            Every card's `type` is `cta_url`, quick-reply cards included, as the document
            says (ITNIO answers -307 otherwise).
        """),
        _json('"type": "interactive", "interactive": {"type": "carousel", '
              '"body": {"text": "New this week"}, "action": {"cards": ['
              '{"card_index": 0, "type": "quick_reply", "header": {"type": "image", "image": '
              '{"link": "https://cdn.example.com/vase.jpg"}}, "body": {"text": "Blue vase"}, '
              '"action": {"buttons": [{"type": "quick_reply", "quick_reply": {"id": "v", '
              '"title": "More"}}]}}, '
              '{"card_index": 1, "type": "quick_reply", "header": {"type": "image", "image": '
              '{"link": "https://cdn.example.com/lamp.jpg"}}, "body": {"text": "Green lamp"}, '
              '"action": {"buttons": [{"type": "quick_reply", "quick_reply": {"id": "l", '
              '"title": "More"}}]}}]}}'),
        _json('"type": "interactive", "interactive": {"type": "carousel", '
              '"body": {"text": "New this week"}, "action": {"cards": ['
              '{"card_index": 0, "type": "cta_url", "header": {"type": "image", "image": '
              '{"link": "https://cdn.example.com/vase.jpg"}}, "body": {"text": "Blue vase"}, '
              '"action": {"buttons": [{"type": "quick_reply", "quick_reply": {"id": "v", '
              '"title": "More"}}]}}, '
              '{"card_index": 1, "type": "cta_url", "header": {"type": "image", "image": '
              '{"link": "https://cdn.example.com/lamp.jpg"}}, "body": {"text": "Green lamp"}, '
              '"action": {"buttons": [{"type": "quick_reply", "quick_reply": {"id": "l", '
              '"title": "More"}}]}}]}}'),
        kind=Kind.LIMIT, providers=_P, found_by=PAYLOAD,
        source=_src("interactive (carousel) › cards › type", "固定传:cta_url"),
    ),
    Rule(
        "whatsapp-carousel-header-type", "A WhatsApp carousel card header is not an image or video",
        para("""
            A card's header `type` is `image` or `video` (ITNIO answers -309): carousel
            cards cannot have a text or document header. msgc writes it from the card's
            `image` or `video`.
        """),
        _json('"type": "interactive", "interactive": {"type": "carousel", '
              '"body": {"text": "New this week"}, "action": {"cards": ['
              '{"card_index": 0, "type": "cta_url", "header": {"type": "text", "text": "Vase"}, '
              '"body": {"text": "Blue vase"}, "action": {"name": "cta_url", "parameters": '
              '{"display_text": "Buy", "url": "https://shop.example.com/vase"}}}, '
              '{"card_index": 1, "type": "cta_url", "header": {"type": "image", "image": '
              '{"link": "https://cdn.example.com/lamp.jpg"}}, "body": {"text": "Green lamp"}, '
              '"action": {"name": "cta_url", "parameters": {"display_text": "Buy", '
              '"url": "https://shop.example.com/lamp"}}}]}}'),
        _json('"type": "interactive", "interactive": {"type": "carousel", '
              '"body": {"text": "New this week"}, "action": {"cards": ['
              '{"card_index": 0, "type": "cta_url", "header": {"type": "image", "image": '
              '{"link": "https://cdn.example.com/vase.jpg"}}, "body": {"text": "Blue vase"}, '
              '"action": {"name": "cta_url", "parameters": {"display_text": "Buy", '
              '"url": "https://shop.example.com/vase"}}}, '
              '{"card_index": 1, "type": "cta_url", "header": {"type": "image", "image": '
              '{"link": "https://cdn.example.com/lamp.jpg"}}, "body": {"text": "Green lamp"}, '
              '"action": {"name": "cta_url", "parameters": {"display_text": "Buy", '
              '"url": "https://shop.example.com/lamp"}}}]}}'),
        kind=Kind.LIMIT, providers=_P, found_by=PAYLOAD,
        source=_src("status codes", "-309 | 轮播交互消息卡片页眉类型必须为image或video"),
    ),
    Rule(
        "whatsapp-carousel-header-media", "A WhatsApp carousel card header lacks the media its type names",
        para("""
            A card header of type `image` carries an `image` object (with its `link`), one
            of type `video` a `video` object, and nothing else (ITNIO answers -310).
        """),
        _json('"type": "interactive", "interactive": {"type": "carousel", '
              '"body": {"text": "New this week"}, "action": {"cards": ['
              '{"card_index": 0, "type": "cta_url", "header": {"type": "image", "video": '
              '{"link": "https://cdn.example.com/vase.mp4"}}, "body": {"text": "Blue vase"}, '
              '"action": {"name": "cta_url", "parameters": {"display_text": "Buy", '
              '"url": "https://shop.example.com/vase"}}}, '
              '{"card_index": 1, "type": "cta_url", "header": {"type": "image", "image": '
              '{"link": "https://cdn.example.com/lamp.jpg"}}, "body": {"text": "Green lamp"}, '
              '"action": {"name": "cta_url", "parameters": {"display_text": "Buy", '
              '"url": "https://shop.example.com/lamp"}}}]}}'),
        _json('"type": "interactive", "interactive": {"type": "carousel", '
              '"body": {"text": "New this week"}, "action": {"cards": ['
              '{"card_index": 0, "type": "cta_url", "header": {"type": "video", "video": '
              '{"link": "https://cdn.example.com/vase.mp4"}}, "body": {"text": "Blue vase"}, '
              '"action": {"name": "cta_url", "parameters": {"display_text": "Buy", '
              '"url": "https://shop.example.com/vase"}}}, '
              '{"card_index": 1, "type": "cta_url", "header": {"type": "image", "image": '
              '{"link": "https://cdn.example.com/lamp.jpg"}}, "body": {"text": "Green lamp"}, '
              '"action": {"name": "cta_url", "parameters": {"display_text": "Buy", '
              '"url": "https://shop.example.com/lamp"}}}]}}'),
        kind=Kind.LIMIT, providers=_P, found_by=PAYLOAD,
        source=_src("status codes", "-310 | 轮播交互消息卡片页眉媒体链接不能为空"),
    ),
    Rule(
        "whatsapp-carousel-action-kind", "A WhatsApp carousel card action has both a link and quick replies",
        para("""
            A card's `action` is either a link button (`name` and `parameters`) or
            quick-reply `buttons`, never both (ITNIO answers -331).
        """),
        _json('"type": "interactive", "interactive": {"type": "carousel", '
              '"body": {"text": "New this week"}, "action": {"cards": ['
              '{"card_index": 0, "type": "cta_url", "header": {"type": "image", "image": '
              '{"link": "https://cdn.example.com/vase.jpg"}}, "body": {"text": "Blue vase"}, '
              '"action": {"name": "cta_url", "parameters": {"display_text": "Buy", '
              '"url": "https://shop.example.com/vase"}, "buttons": [{"type": "quick_reply", '
              '"quick_reply": {"id": "v", "title": "More"}}]}}, '
              '{"card_index": 1, "type": "cta_url", "header": {"type": "image", "image": '
              '{"link": "https://cdn.example.com/lamp.jpg"}}, "body": {"text": "Green lamp"}, '
              '"action": {"name": "cta_url", "parameters": {"display_text": "Buy", '
              '"url": "https://shop.example.com/lamp"}}}]}}'),
        _json('"type": "interactive", "interactive": {"type": "carousel", '
              '"body": {"text": "New this week"}, "action": {"cards": ['
              '{"card_index": 0, "type": "cta_url", "header": {"type": "image", "image": '
              '{"link": "https://cdn.example.com/vase.jpg"}}, "body": {"text": "Blue vase"}, '
              '"action": {"name": "cta_url", "parameters": {"display_text": "Buy", '
              '"url": "https://shop.example.com/vase"}}}, '
              '{"card_index": 1, "type": "cta_url", "header": {"type": "image", "image": '
              '{"link": "https://cdn.example.com/lamp.jpg"}}, "body": {"text": "Green lamp"}, '
              '"action": {"name": "cta_url", "parameters": {"display_text": "Buy", '
              '"url": "https://shop.example.com/lamp"}}}]}}'),
        kind=Kind.LIMIT, providers=_P, found_by=PAYLOAD,
        source=_src("status codes", "-331 | 轮播卡片互动按钮类型只能是网址跳转或者快速回复中的一种"),
    ),
    Rule(
        "whatsapp-carousel-cta-name", "A WhatsApp carousel link button's `name` is not `cta_url`",
        para("""
            A card's link button is `{"name": "cta_url", "parameters": {display_text,
            url}}` (ITNIO answers -313 otherwise).
        """),
        _json('"type": "interactive", "interactive": {"type": "carousel", '
              '"body": {"text": "New this week"}, "action": {"cards": ['
              '{"card_index": 0, "type": "cta_url", "header": {"type": "image", "image": '
              '{"link": "https://cdn.example.com/vase.jpg"}}, "body": {"text": "Blue vase"}, '
              '"action": {"name": "url", "parameters": {"display_text": "Buy", '
              '"url": "https://shop.example.com/vase"}}}, '
              '{"card_index": 1, "type": "cta_url", "header": {"type": "image", "image": '
              '{"link": "https://cdn.example.com/lamp.jpg"}}, "body": {"text": "Green lamp"}, '
              '"action": {"name": "cta_url", "parameters": {"display_text": "Buy", '
              '"url": "https://shop.example.com/lamp"}}}]}}'),
        _json('"type": "interactive", "interactive": {"type": "carousel", '
              '"body": {"text": "New this week"}, "action": {"cards": ['
              '{"card_index": 0, "type": "cta_url", "header": {"type": "image", "image": '
              '{"link": "https://cdn.example.com/vase.jpg"}}, "body": {"text": "Blue vase"}, '
              '"action": {"name": "cta_url", "parameters": {"display_text": "Buy", '
              '"url": "https://shop.example.com/vase"}}}, '
              '{"card_index": 1, "type": "cta_url", "header": {"type": "image", "image": '
              '{"link": "https://cdn.example.com/lamp.jpg"}}, "body": {"text": "Green lamp"}, '
              '"action": {"name": "cta_url", "parameters": {"display_text": "Buy", '
              '"url": "https://shop.example.com/lamp"}}}]}}'),
        kind=Kind.LIMIT, providers=_P, found_by=PAYLOAD,
        source=_src("status codes", "-313 | 轮播交互消息卡片网址按钮名称必须为\"cta_url\""),
    ),
    Rule(
        "whatsapp-carousel-cta-display-text-length",
        "A WhatsApp carousel link button's title is empty or over 20 characters",
        para("""
            The text of a card's link button (`display_text`, from the button's `title`)
            is 1 to 20 characters (ITNIO answers -315).
        """),
        spec("""
            message:
              text: New this week
              carousel:
                - title: Blue vase
                  image: "https://cdn.example.com/vase.jpg"
                  buttons: [{title: Add it to your basket, url: "https://shop.example.com/vase"}]
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
                  buttons: [{title: Add to basket, url: "https://shop.example.com/vase"}]
                - title: Green lamp
                  image: "https://cdn.example.com/lamp.jpg"
                  buttons: [{title: Buy, url: "https://shop.example.com/lamp"}]
            targets:
              whatsapp: {}
        """),
        kind=Kind.LIMIT, providers=_P, found_by=_BOTH,
        source=_src("status codes", "-315 | 轮播交互消息卡片网址按钮参数display"
                                    "_text不能为空,并且不能超过20个字符"),
    ),
    Rule(
        "whatsapp-carousel-quick-replies-count", "A WhatsApp carousel card has more than 2 quick replies",
        para("""
            A card has one or two quick-reply buttons (ITNIO answers -317). For more
            answers, use a list (`menu`, up to 10 rows) instead of a carousel.
        """),
        spec("""
            message:
              text: New this week
              carousel:
                - title: Blue vase
                  image: "https://cdn.example.com/vase.jpg"
                  buttons:
                    - {title: More, id: more-vase}
                    - {title: Save, id: save-vase}
                    - {title: Not for me, id: skip-vase}
                - title: Green lamp
                  image: "https://cdn.example.com/lamp.jpg"
                  buttons: [{title: More, id: more-lamp}]
            targets:
              whatsapp: {}
        """),
        spec("""
            message:
              text: New this week
              carousel:
                - title: Blue vase
                  image: "https://cdn.example.com/vase.jpg"
                  buttons:
                    - {title: More, id: more-vase}
                    - {title: Not for me, id: skip-vase}
                - title: Green lamp
                  image: "https://cdn.example.com/lamp.jpg"
                  buttons: [{title: More, id: more-lamp}]
            targets:
              whatsapp: {}
        """),
        kind=Kind.LIMIT, providers=_P, found_by=_BOTH,
        source=_src("status codes", "-317 | 轮播交互消息卡片只能有1-2个快速回复按钮"),
    ),
    Rule(
        "whatsapp-carousel-quick-reply-type", "A WhatsApp carousel quick reply's `type` is not `quick_reply`",
        para("""
            Each quick-reply button of a card is `{"type": "quick_reply", "quick_reply":
            {id, title}}` (ITNIO answers -318 otherwise).
        """),
        _json('"type": "interactive", "interactive": {"type": "carousel", '
              '"body": {"text": "New this week"}, "action": {"cards": ['
              '{"card_index": 0, "type": "cta_url", "header": {"type": "image", "image": '
              '{"link": "https://cdn.example.com/vase.jpg"}}, "body": {"text": "Blue vase"}, '
              '"action": {"buttons": [{"type": "reply", "quick_reply": {"id": "v", '
              '"title": "More"}}]}}, '
              '{"card_index": 1, "type": "cta_url", "header": {"type": "image", "image": '
              '{"link": "https://cdn.example.com/lamp.jpg"}}, "body": {"text": "Green lamp"}, '
              '"action": {"buttons": [{"type": "quick_reply", "quick_reply": {"id": "l", '
              '"title": "More"}}]}}]}}'),
        _json('"type": "interactive", "interactive": {"type": "carousel", '
              '"body": {"text": "New this week"}, "action": {"cards": ['
              '{"card_index": 0, "type": "cta_url", "header": {"type": "image", "image": '
              '{"link": "https://cdn.example.com/vase.jpg"}}, "body": {"text": "Blue vase"}, '
              '"action": {"buttons": [{"type": "quick_reply", "quick_reply": {"id": "v", '
              '"title": "More"}}]}}, '
              '{"card_index": 1, "type": "cta_url", "header": {"type": "image", "image": '
              '{"link": "https://cdn.example.com/lamp.jpg"}}, "body": {"text": "Green lamp"}, '
              '"action": {"buttons": [{"type": "quick_reply", "quick_reply": {"id": "l", '
              '"title": "More"}}]}}]}}'),
        kind=Kind.LIMIT, providers=_P, found_by=PAYLOAD,
        source=_src("status codes", "-318 | 轮播交互消息卡片快速回复按钮类型值必须为\"quick_reply\""),
    ),
    Rule(
        "whatsapp-carousel-quick-reply-id-length",
        "A WhatsApp carousel quick reply's id is empty or over 20 characters",
        para("""
            A quick reply's id, sent back when it is tapped, is 1 to 20 characters (ITNIO
            answers -320): much shorter than a reply button's 256.
        """),
        spec("""
            message:
              text: New this week
              carousel:
                - title: Blue vase
                  image: "https://cdn.example.com/vase.jpg"
                  buttons: [{title: More, id: learn-more-blue-echeveria}]
                - title: Green lamp
                  image: "https://cdn.example.com/lamp.jpg"
                  buttons: [{title: More, id: more-lamp}]
            targets:
              whatsapp: {}
        """),
        spec("""
            message:
              text: New this week
              carousel:
                - title: Blue vase
                  image: "https://cdn.example.com/vase.jpg"
                  buttons: [{title: More, id: more-vase}]
                - title: Green lamp
                  image: "https://cdn.example.com/lamp.jpg"
                  buttons: [{title: More, id: more-lamp}]
            targets:
              whatsapp: {}
        """),
        kind=Kind.LIMIT, providers=_P, found_by=_BOTH,
        source=_src("status codes", "-320 | 轮播交互消息卡片快速回复按钮quick_re"
                                    "ply参数id不能为空,并且不能超过20个字符"),
    ),
    Rule(
        "whatsapp-carousel-quick-reply-title-length",
        "A WhatsApp carousel quick reply's title is empty or over 20 characters",
        para("""
            A quick reply's title is 1 to 20 characters (ITNIO answers -321), counted in
            Unicode code points. Titles are button labels: a verb and an object at most
            ("Tell me more").
        """),
        spec("""
            message:
              text: New this week
              carousel:
                - title: Blue vase
                  image: "https://cdn.example.com/vase.jpg"
                  buttons: [{title: Tell me more about it, id: more-vase}]
                - title: Green lamp
                  image: "https://cdn.example.com/lamp.jpg"
                  buttons: [{title: More, id: more-lamp}]
            targets:
              whatsapp: {}
        """),
        spec("""
            message:
              text: New this week
              carousel:
                - title: Blue vase
                  image: "https://cdn.example.com/vase.jpg"
                  buttons: [{title: Tell me more, id: more-vase}]
                - title: Green lamp
                  image: "https://cdn.example.com/lamp.jpg"
                  buttons: [{title: More, id: more-lamp}]
            targets:
              whatsapp: {}
        """),
        kind=Kind.LIMIT, providers=_P, found_by=_BOTH,
        source=_src("status codes", "-321 | 轮播交互消息卡片快速回复按钮quick_repl"
                                    "y参数title不能为空,并且不能超过20个字符"),
    ),
    # -- generic body checks -------------------------------------------------------------------
    Rule(
        "whatsapp-required", "A required field of the WhatsApp request body is missing",
        para("""
            A field ITNIO marks as required (是) is missing from a hand-written payload:
            `appId`, `businessPhone`, `channelType`, `recipient`, `type`, or a field the
            message type needs (an image's `link`, a location's `longitude`, a list's
            `sections`, ...). msgc's own payloads always carry them.
        """),
        _json('"type": "image", "image": {"caption": "Summer sale"}'),
        _json('"type": "image", "image": {"link": "https://cdn.example.com/sale.jpg", '
              '"caption": "Summer sale"}'),
        kind=Kind.LIMIT, providers=_P, found_by=PAYLOAD,
        source=_src("status codes", "-117 | 图片消息的link不能为空"),
    ),
    Rule(
        "whatsapp-additional-properties", "A WhatsApp setting or body field msgc does not know",
        para("""
            In a spec: a key under `targets.whatsapp` that is not a WhatsApp setting
            (`app_id`, `business_phone`, `list_button`, `list_title`, `message`), usually a
            typo. In a hand-written payload: a field the ITNIO document does not list for
            that message type (for example the location example's stray `link`). The
            finding suggests the closest known name.
        """),
        spec("""
            message:
              text: Pick a day
              choices: [Mon, Tue, Wed, Thu]
            targets:
              whatsapp: {list_buton: Days}
        """),
        spec("""
            message:
              text: Pick a day
              choices: [Mon, Tue, Wed, Thu]
            targets:
              whatsapp: {list_button: Days}
        """),
        kind=Kind.INPUT, providers=_P, found_by=_BOTH,
    ),
    Rule(
        "whatsapp-type", "A WhatsApp setting or body field has the wrong type",
        para("""
            In a spec: a WhatsApp setting of the wrong type (`business_phone: 91856321321`
            is a number: quote it). In a hand-written payload: a field of the wrong JSON
            type, for example `businessPhone` sent as a number, as some of the document's
            examples do.
        """),
        spec("""
            message:
              text: Your order shipped
            targets:
              whatsapp: {business_phone: 91856321321}
        """),
        spec("""
            message:
              text: Your order shipped
            targets:
              whatsapp: {business_phone: "91856321321"}
        """),
        kind=Kind.INPUT, providers=_P, found_by=_BOTH,
    ),
    # -- worst case ----------------------------------------------------------------------------
    _may_exceed("whatsapp-text-may-exceed", "whatsapp-text-length", "a WhatsApp text",
                "4,096 characters", """
        variables:
          body: {type: string, max_length: 5000, example: Our autumn range is here}
        message:
          text: "{{ body }}"
        targets:
          whatsapp: {}
    """, """
        variables:
          body: {type: string, max_length: 4000, example: Our autumn range is here}
        message:
          text: "{{ body }}"
        targets:
          whatsapp: {}
    """),
    _may_exceed("whatsapp-interactive-body-may-exceed", "whatsapp-interactive-body-length",
                "a WhatsApp interactive message's body", "4,096 characters", """
        variables:
          body: {type: string, max_length: 5000, example: When should we deliver?}
        message:
          text: "{{ body }}"
          choices: [Morning, Afternoon]
        targets:
          whatsapp: {}
    """, """
        variables:
          body: {type: string, max_length: 4000, example: When should we deliver?}
        message:
          text: "{{ body }}"
          choices: [Morning, Afternoon]
        targets:
          whatsapp: {}
    """),
    _may_exceed("whatsapp-section-title-may-exceed", "whatsapp-section-title-length",
                "a WhatsApp list section title", "24 characters", """
        variables:
          day: {type: string, max_length: 20, example: Monday}
        message:
          text: Pick a time
          menu:
            button: Times
            sections:
              - title: "Slots on {{ day }}"
                rows: [{id: am, title: Morning}, {id: pm, title: Afternoon}]
        targets:
          whatsapp: {}
    """, """
        variables:
          day: {type: string, max_length: 9, example: Monday}
        message:
          text: Pick a time
          menu:
            button: Times
            sections:
              - title: "Slots on {{ day }}"
                rows: [{id: am, title: Morning}, {id: pm, title: Afternoon}]
        targets:
          whatsapp: {}
    """),
    _may_exceed("whatsapp-row-id-may-exceed", "whatsapp-row-id-length", "a WhatsApp list row id",
                "200 characters", """
        variables:
          ref: {type: string, max_length: 250, example: A-1029}
        message:
          text: Pick a time
          menu:
            button: Times
            sections:
              - title: Today
                rows: [{id: "am-{{ ref }}", title: Morning}, {id: pm, title: Afternoon}]
        targets:
          whatsapp: {}
    """, """
        variables:
          ref: {type: string, max_length: 64, example: A-1029}
        message:
          text: Pick a time
          menu:
            button: Times
            sections:
              - title: Today
                rows: [{id: "am-{{ ref }}", title: Morning}, {id: pm, title: Afternoon}]
        targets:
          whatsapp: {}
    """),
    _may_exceed("whatsapp-row-title-may-exceed", "whatsapp-row-title-length", "a WhatsApp list row title",
                "24 characters", """
        variables:
          slot: {type: string, max_length: 30, example: Morning}
        message:
          text: Pick a time
          menu:
            button: Times
            sections:
              - title: Today
                rows: [{id: am, title: "{{ slot }}"}, {id: pm, title: Afternoon}]
        targets:
          whatsapp: {}
    """, """
        variables:
          slot: {type: string, max_length: 24, example: Morning}
        message:
          text: Pick a time
          menu:
            button: Times
            sections:
              - title: Today
                rows: [{id: am, title: "{{ slot }}"}, {id: pm, title: Afternoon}]
        targets:
          whatsapp: {}
    """),
    _may_exceed("whatsapp-row-description-may-exceed", "whatsapp-row-description-length",
                "a WhatsApp list row description", "72 characters", """
        variables:
          courier: {type: string, max_length: 60, example: DHL}
        message:
          text: Pick a time
          menu:
            button: Times
            sections:
              - title: Today
                rows:
                  - {id: am, title: Morning, description: "8-12, delivered by {{ courier }}"}
                  - {id: pm, title: Afternoon}
        targets:
          whatsapp: {}
    """, """
        variables:
          courier: {type: string, max_length: 40, example: DHL}
        message:
          text: Pick a time
          menu:
            button: Times
            sections:
              - title: Today
                rows:
                  - {id: am, title: Morning, description: "8-12, delivered by {{ courier }}"}
                  - {id: pm, title: Afternoon}
        targets:
          whatsapp: {}
    """),
    _may_exceed("whatsapp-reply-id-may-exceed", "whatsapp-reply-id-length", "a WhatsApp reply button id",
                "256 characters", """
        variables:
          ref: {type: string, max_length: 300, example: A-1029}
        message:
          text: Did the parcel arrive?
          buttons: [{title: "Yes", id: "arrived-{{ ref }}"}]
        targets:
          whatsapp: {}
    """, """
        variables:
          ref: {type: string, max_length: 64, example: A-1029}
        message:
          text: Did the parcel arrive?
          buttons: [{title: "Yes", id: "arrived-{{ ref }}"}]
        targets:
          whatsapp: {}
    """),
    _may_exceed("whatsapp-reply-title-may-exceed", "whatsapp-reply-title-length",
                "a WhatsApp reply button title", "20 characters", """
        variables:
          name: {type: string, max_length: 30, example: Ada}
        message:
          text: Who is collecting?
          buttons: [{title: "{{ name }}", id: self}, {title: Someone else, id: other}]
        targets:
          whatsapp: {}
    """, """
        variables:
          name: {type: string, max_length: 20, example: Ada}
        message:
          text: Who is collecting?
          buttons: [{title: "{{ name }}", id: self}, {title: Someone else, id: other}]
        targets:
          whatsapp: {}
    """),
    _may_exceed("whatsapp-carousel-body-may-exceed", "whatsapp-carousel-body-length",
                "a WhatsApp carousel's text", "1,024 characters", """
        variables:
          intro: {type: string, max_length: 1500, example: New this week}
        message:
          text: "{{ intro }}"
          carousel:
            - title: Blue vase
              image: "https://cdn.example.com/vase.jpg"
              buttons: [{title: Buy, url: "https://shop.example.com/vase"}]
            - title: Green lamp
              image: "https://cdn.example.com/lamp.jpg"
              buttons: [{title: Buy, url: "https://shop.example.com/lamp"}]
        targets:
          whatsapp: {}
    """, """
        variables:
          intro: {type: string, max_length: 1000, example: New this week}
        message:
          text: "{{ intro }}"
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
    _may_exceed("whatsapp-carousel-card-text-may-exceed", "whatsapp-carousel-card-text-length",
                "a WhatsApp carousel card's body", "160 characters", """
        variables:
          blurb: {type: string, max_length: 160, example: Hand-thrown stoneware}
        message:
          text: New this week
          carousel:
            - title: Blue vase
              text: "{{ blurb }}"
              image: "https://cdn.example.com/vase.jpg"
              buttons: [{title: Buy, url: "https://shop.example.com/vase"}]
            - title: Green lamp
              image: "https://cdn.example.com/lamp.jpg"
              buttons: [{title: Buy, url: "https://shop.example.com/lamp"}]
        targets:
          whatsapp: {}
    """, """
        variables:
          blurb: {type: string, max_length: 140, example: Hand-thrown stoneware}
        message:
          text: New this week
          carousel:
            - title: Blue vase
              text: "{{ blurb }}"
              image: "https://cdn.example.com/vase.jpg"
              buttons: [{title: Buy, url: "https://shop.example.com/vase"}]
            - title: Green lamp
              image: "https://cdn.example.com/lamp.jpg"
              buttons: [{title: Buy, url: "https://shop.example.com/lamp"}]
        targets:
          whatsapp: {}
    """),
    _may_exceed("whatsapp-carousel-cta-display-text-may-exceed",
                "whatsapp-carousel-cta-display-text-length", "a WhatsApp carousel link button's title",
                "20 characters", """
        variables:
          action: {type: string, enum: [Buy, Add it to your basket], example: Buy}
        message:
          text: New this week
          carousel:
            - title: Blue vase
              image: "https://cdn.example.com/vase.jpg"
              buttons: [{title: "{{ action }}", url: "https://shop.example.com/vase"}]
            - title: Green lamp
              image: "https://cdn.example.com/lamp.jpg"
              buttons: [{title: Buy, url: "https://shop.example.com/lamp"}]
        targets:
          whatsapp: {}
    """, """
        variables:
          action: {type: string, enum: [Buy, Add to basket], example: Buy}
        message:
          text: New this week
          carousel:
            - title: Blue vase
              image: "https://cdn.example.com/vase.jpg"
              buttons: [{title: "{{ action }}", url: "https://shop.example.com/vase"}]
            - title: Green lamp
              image: "https://cdn.example.com/lamp.jpg"
              buttons: [{title: Buy, url: "https://shop.example.com/lamp"}]
        targets:
          whatsapp: {}
    """),
    _may_exceed("whatsapp-carousel-quick-reply-id-may-exceed",
                "whatsapp-carousel-quick-reply-id-length", "a WhatsApp carousel quick reply's id",
                "20 characters", """
        variables:
          sku: {type: string, max_length: 24, example: V-12}
        message:
          text: New this week
          carousel:
            - title: Blue vase
              image: "https://cdn.example.com/vase.jpg"
              buttons: [{title: More, id: "more-{{ sku }}"}]
            - title: Green lamp
              image: "https://cdn.example.com/lamp.jpg"
              buttons: [{title: More, id: more-lamp}]
        targets:
          whatsapp: {}
    """, """
        variables:
          sku: {type: string, max_length: 15, example: V-12}
        message:
          text: New this week
          carousel:
            - title: Blue vase
              image: "https://cdn.example.com/vase.jpg"
              buttons: [{title: More, id: "more-{{ sku }}"}]
            - title: Green lamp
              image: "https://cdn.example.com/lamp.jpg"
              buttons: [{title: More, id: more-lamp}]
        targets:
          whatsapp: {}
    """),
    _may_exceed("whatsapp-carousel-quick-reply-title-may-exceed",
                "whatsapp-carousel-quick-reply-title-length", "a WhatsApp carousel quick reply's title",
                "20 characters", """
        variables:
          product: {type: string, max_length: 30, example: vase}
        message:
          text: New this week
          carousel:
            - title: Blue vase
              image: "https://cdn.example.com/vase.jpg"
              buttons: [{title: "About the {{ product }}", id: more-vase}]
            - title: Green lamp
              image: "https://cdn.example.com/lamp.jpg"
              buttons: [{title: More, id: more-lamp}]
        targets:
          whatsapp: {}
    """, """
        variables:
          product: {type: string, max_length: 10, example: vase}
        message:
          text: New this week
          carousel:
            - title: Blue vase
              image: "https://cdn.example.com/vase.jpg"
              buttons: [{title: "About the {{ product }}", id: more-vase}]
            - title: Green lamp
              image: "https://cdn.example.com/lamp.jpg"
              buttons: [{title: More, id: more-lamp}]
        targets:
          whatsapp: {}
    """),
    # -- sending -------------------------------------------------------------------------------
    Rule(
        "whatsapp-send-failed", "ITNIO refused the message",
        para("""
            ITNIO answered with an error status, so the message was not accepted and
            nothing was delivered. The finding gives the status, its documented meaning and
            what to do: -1, -2 and -16 (keys, IP allow-list, clock), -68 and -69 (balance,
            price), -70 to -97 (the numbers), -112 to -331 (the request). Only -18 (a system
            error answered before anything was accepted) is retried; a refusal never is.
        """),
        _REFUSED,
        shell("""
            $ msgc send order.yaml -p whatsapp --to 91856321322 --var order_id=A-1
            10415ecbd0c848ebb7d5a3fe53269df6
        """),
        kind=Kind.OPERATION, providers=_P, found_by=SEND,
    ),
    Rule(
        "whatsapp-send-unknown", "No readable answer came back: the message may or may not have been sent",
        para("""
            The request left, but the connection failed, timed out or brought back an
            answer that cannot be read, so ITNIO may have accepted it. msgc never re-sends
            such a message by itself (the recipient could get it twice).

            Check ITNIO's message status callbacks before sending it again.
        """),
        shell("""
            $ msgc send order.yaml -p whatsapp --to 91856321322 --timeout 1 --var order_id=A-1
        """),
        shell("""
            $ msgc send order.yaml -p whatsapp --to 91856321322 --timeout 30 --var order_id=A-1
        """),
        kind=Kind.OPERATION, providers=_P, found_by=SEND,
    ),
)
