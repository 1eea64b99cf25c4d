"""Catalog entries of the Viber provider (NXCloud's Viber API): what a Viber message cannot
express, the limits of NXCloud's request body, and the answers to a send request."""

from __future__ import annotations

from ...catalog import PAYLOAD, SEND, SPEC, Kind, Rule, Source
from ...catalog.text import para, payload, shell, spec
from ...diagnostics import Severity

_P = ("viber",)
_DOC = "NXCloud Viber API document"
_BOTH = SPEC + PAYLOAD
_REFUSED = shell("""
    $ msgc send order.yaml -p viber --to 79001234567 --var order_id=A-1
    order.yaml: error: (viber) the message was rejected: [1102] Insufficient balance [viber-send-failed]
      hint: top up the NXCloud account
""")


def _src(where: str, quote: str, note: str | None = None) -> Source:
    return Source(_DOC, where, quote, note)


def _unsupported(key: str, what: str, instead: str, bad: str, fixed: str) -> Rule:
    return Rule(
        f"viber-unsupported-{key.replace('_', '-')}", f"Viber has no {what}",
        para(f"""
            NXCloud's Viber API sends eleven kinds of message (text, image, file, video,
            list, carousel and their combinations) and none of them carries {what}. msgc
            never drops content silently, so a message with `{key}` cannot be compiled for
            Viber.

            {instead}
        """),
        spec(bad), spec(fixed), kind=Kind.UNSUPPORTED, providers=_P,
    )


def _may_exceed(rule_id: str, base: str, field: str, limit: str, bad: str, fixed: str
                ) -> Rule:
    return Rule(
        rule_id, f"{field[0].upper()}{field[1:]} can exceed {limit} for some allowed values",
        para(f"""
            With the examples the message fits, but the variables' declared bounds
            (`max_length`, `enum`, `minimum`/`maximum`) allow values that make {field}
            longer than Viber's limit of {limit} (see `{base}`). msgc renders a worst-case
            message, every template at its longest, and lowers and checks it like a real
            one; the warning names the variables that drive the length.

            Lower the variables' `max_length`, or shorten the fixed text around them.
        """),
        spec(bad), spec(fixed), severity=Severity.WARNING, kind=Kind.ADVICE, providers=_P,
        found_by=("validate", "build"),
    )


RULES = (
    # -- what Viber cannot express ---------------------------------------------------------
    _unsupported("location", "location message",
                 "Send the address in `text`, or a link button to a map.", """
        message:
          text: Visit our store
          location: {latitude: 52.52, longitude: 13.405, name: Store, address: Main St 1}
        targets:
          viber: {rate_type: Transactional}
    """, """
        message:
          text: "Visit our store: Main St 1"
          buttons: [{title: Map, url: "https://maps.example.com/?q=52.52,13.405"}]
        targets:
          viber: {rate_type: Promotional}
    """),
    _unsupported("request_location", "way to ask for the user's location",
                 "Ask for it in `text`; `request_location` works on WhatsApp.", """
        message:
          text: Where should the courier come?
          request_location: true
        targets:
          viber: {rate_type: Transactional}
    """, """
        message:
          text: Where should the courier come? Reply with your address.
        targets:
          viber: {rate_type: Transactional}
    """),
    _unsupported("contacts", "contact card message",
                 "Put the contact details in `text`.", """
        message:
          contacts: [{name: {formatted_name: Support}, phones: [{phone: "+49 30 1234567"}]}]
        targets:
          viber: {rate_type: Transactional}
    """, """
        message:
          text: "Support: +49 30 1234567"
        targets:
          viber: {rate_type: Transactional}
    """),
    _unsupported("audio", "audio message",
                 "Send the recording as a `document`, or link to it with a button.", """
        message:
          audio: "https://cdn.example.com/welcome.mp3"
        targets:
          viber: {rate_type: Transactional}
    """, """
        message:
          document: {url: "https://cdn.example.com/welcome.pdf", filename: welcome.pdf}
        targets:
          viber: {rate_type: Transactional}
    """),
    _unsupported("sticker", "sticker message", "Send an `image` instead.", """
        message:
          sticker: "https://cdn.example.com/thanks.webp"
        targets:
          viber: {rate_type: Promotional}
    """, """
        message:
          image: "https://cdn.example.com/thanks.png"
        targets:
          viber: {rate_type: Promotional}
    """),
    _unsupported("menu", "sectioned list (menu)",
                 "Use `choices` (2-5 options), which becomes a Viber list.", """
        message:
          text: Pick a time
          menu:
            button: Times
            sections:
              - title: Today
                rows: [{id: am, title: Morning}, {id: pm, title: Afternoon}]
        targets:
          viber: {rate_type: Transactional}
    """, """
        message:
          text: Pick a time
          choices: [Morning, Afternoon]
        targets:
          viber: {rate_type: Transactional}
    """),
    _unsupported("header", "message header", "Put the heading in `text`.", """
        message:
          header: Order update
          text: Your order shipped
        targets:
          viber: {rate_type: Transactional}
    """, """
        message:
          text: "Order update: your order shipped"
        targets:
          viber: {rate_type: Transactional}
    """),
    _unsupported("footer", "message footer", "Put it at the end of `text`.", """
        message:
          text: Your order shipped
          footer: Reply STOP to opt out
        targets:
          viber: {rate_type: Transactional}
    """, """
        message:
          text: "Your order shipped. Reply STOP to opt out"
        targets:
          viber: {rate_type: Transactional}
    """),
    _unsupported("reply_to", "way to reply to a given message",
                 "Remove `reply_to` for Viber with `reply_to: null` in "
                 "`targets.viber.message`, keeping it for WhatsApp.", """
        message:
          text: Thanks, we got your photo
          reply_to: "{{ inbound_id }}"
        variables:
          inbound_id: {type: string, max_length: 64, example: wamid.ABC}
        targets:
          viber: {rate_type: Session}
    """, """
        message:
          text: Thanks, we got your photo
        targets:
          viber: {rate_type: Session}
    """),
    Rule(
        "viber-unsupported-reply-button", "Viber has no reply buttons",
        para("""
            A Viber button always opens a link (`buttonLink`, a carousel card's
            `actionUrl`); there is no button that sends an answer back. A button with an
            `id` and no `url` is a reply button, which Viber cannot show.

            For pick-one answers use `choices`, which becomes a Viber list; otherwise give
            the button a `url`. Quick-reply carousel cards are WhatsApp only: keep them in
            `targets.whatsapp.message`.
        """),
        spec("""
            message:
              text: Did the parcel arrive?
              buttons: [{title: "Yes", id: arrived}]
            targets:
              viber: {rate_type: Promotional}
        """),
        spec("""
            message:
              text: Did the parcel arrive?
              choices: ["Yes", "No"]
            targets:
              viber: {}
        """),
        kind=Kind.UNSUPPORTED, providers=_P,
    ),
    Rule(
        "viber-button-count", "A Viber message has more than one button",
        para("""
            Viber's button messages (`text_button`, `text_image_button`,
            `video_text_button`) carry one `buttonText` and one `buttonLink`. A second
            button has nowhere to go.

            Keep one link button, or use a `carousel`, whose cards carry up to two buttons
            each.
        """),
        spec("""
            message:
              text: Your order shipped
              buttons:
                - {title: Track, url: "https://t.example.com/A1"}
                - {title: Help, url: "https://help.example.com"}
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
        kind=Kind.UNSUPPORTED, providers=_P,
        source=_src("消息功能类型 › text_button", "按钮标题"),
    ),
    Rule(
        "viber-button-needs-text", "A Viber image or video with a button has no text",
        para("""
            Viber has `text_image_button` and `video_text_button`, but no image or video
            with a button and no text: the button sits under the text.

            Add a `text`, or drop the button.
        """),
        spec("""
            message:
              image: "https://cdn.example.com/sale.jpg"
              buttons: [{title: Shop, url: "https://shop.example.com"}]
            targets:
              viber: {rate_type: Promotional}
        """),
        spec("""
            message:
              text: Summer sale
              image: "https://cdn.example.com/sale.jpg"
              buttons: [{title: Shop, url: "https://shop.example.com"}]
            targets:
              viber: {rate_type: Promotional}
        """),
        kind=Kind.UNSUPPORTED, providers=_P,
    ),
    Rule(
        "viber-media-count", "A Viber message has both a video and an image",
        para("""
            A Viber message shows one media item: an image, or a video (whose preview
            image is its `thumbnail`). A message with both cannot be compiled.

            Keep one; to show a picture before the video plays, make it the video's
            `thumbnail`.
        """),
        spec("""
            message:
              text: Our new collection
              image: "https://cdn.example.com/cover.jpg"
              video:
                url: "https://cdn.example.com/a.mp4"
                thumbnail: "https://cdn.example.com/a.jpg"
                size: 882472
                duration: 15
            targets:
              viber: {rate_type: Promotional}
        """),
        spec("""
            message:
              text: Our new collection
              video:
                url: "https://cdn.example.com/a.mp4"
                thumbnail: "https://cdn.example.com/cover.jpg"
                size: 882472
                duration: 15
            targets:
              viber: {rate_type: Promotional}
        """),
        kind=Kind.UNSUPPORTED, providers=_P,
    ),
    Rule(
        "viber-video-field", "A Viber video lacks its thumbnail, size or duration",
        para("""
            NXCloud requires every Viber video to come with a preview image (`thumbnail`),
            its file size in bytes (`size`, at most 200 MB) and its length in seconds
            (`duration`, at most 600). msgc cannot find them out by itself.
        """),
        spec("""
            message:
              text: Our new collection
              video: {url: "https://cdn.example.com/a.mp4"}
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
        kind=Kind.LIMIT, providers=_P,
        source=_src("消息功能类型 › video (thumbnail, videoSize, duration: 是, required)",
                    "视频缩略图"),
    ),
    Rule(
        "viber-file-alone", "A Viber file message carries text, buttons or other media",
        para("""
            Viber's `file` message holds the file alone (`fileName`, `fileLink`,
            `fileType`): no text, no button, no image or video.

            Send the text as a message of its own, or give Viber a file-only message in
            `targets.viber.message` (for example `text: null`).
        """),
        spec("""
            message:
              text: Your invoice
              document: {url: "https://files.example.com/inv-1029.pdf", filename: inv-1029.pdf}
            targets:
              viber: {rate_type: Transactional}
        """),
        spec("""
            message:
              document: {url: "https://files.example.com/inv-1029.pdf", filename: inv-1029.pdf}
            targets:
              viber: {rate_type: Transactional}
        """),
        kind=Kind.UNSUPPORTED, providers=_P,
    ),
    Rule(
        "viber-file-type", "A Viber file's type is not one NXCloud accepts",
        para("""
            NXCloud sends documents (doc, docx, rtf, dot, dotx, odt, odf, fodt, txt,
            info), PDF-like files (pdf, xps, pdax, eps) and spreadsheets (xls, xlsx, ods,
            fods, csv, xlsm, xltx), and needs the type as `fileType`. msgc takes it from
            `document.type`, else from the extension of the file name or URL; this finding
            means it is missing, or not in the list (images, archives and media are not
            files to Viber).
        """),
        spec("""
            message:
              document: {url: "https://files.example.com/photos.zip", filename: photos.zip}
            targets:
              viber: {rate_type: Transactional}
        """),
        spec("""
            message:
              document: {url: "https://files.example.com/photos.pdf", filename: photos.pdf}
            targets:
              viber: {rate_type: Transactional}
        """),
        kind=Kind.LIMIT, providers=_P, found_by=_BOTH,
        source=_src("附录 › 文件类型列表", "说明:例如.doc格式,fileType填写doc;.xls格式,fileType填写xls"),
    ),
    Rule(
        "viber-list-alone", "A Viber list (choices) message carries media or buttons",
        para("""
            Viber's `list` message is a question (`text`) and its reply options
            (`surveyOptions`); it has no image, video, file or button.
        """),
        spec("""
            message:
              text: Pick a time
              image: "https://cdn.example.com/slots.jpg"
              choices: [Morning, Afternoon]
            targets:
              viber: {}
        """),
        spec("""
            message:
              text: Pick a time
              choices: [Morning, Afternoon]
            targets:
              viber: {}
        """),
        kind=Kind.UNSUPPORTED, providers=_P,
    ),
    Rule(
        "viber-list-text", "A Viber list (choices) message has no text",
        para("""
            A Viber list shows its options under a question, and NXCloud requires the
            question (`text`, at most 85 characters).
        """),
        spec("""
            message:
              choices: [Morning, Afternoon]
            targets:
              viber: {}
        """),
        spec("""
            message:
              text: Pick a time
              choices: [Morning, Afternoon]
            targets:
              viber: {}
        """),
        kind=Kind.LIMIT, providers=_P,
        source=_src("消息功能类型 › list › text (是, required)", "问答文本(最大长度为85个字符)"),
    ),
    Rule(
        "viber-choice-description", "A Viber list option has a description",
        para("""
            Viber list options are plain text (`surveyOptions` is a list of strings); a
            choice's `description` has nowhere to go. (A choice's `id` is used by WhatsApp
            only: Viber answers with the option's text.)

            Give Viber its own `choices` without descriptions in `targets.viber.message`.
        """),
        spec("""
            message:
              text: Pick a time
              choices:
                - {id: am, title: Morning, description: 8:00-12:00}
                - {id: pm, title: Afternoon, description: 12:00-18:00}
            targets:
              viber: {}
        """),
        spec("""
            message:
              text: Pick a time
              choices:
                - {id: am, title: "Morning (8:00-12:00)"}
                - {id: pm, title: "Afternoon (12:00-18:00)"}
            targets:
              viber: {}
        """),
        kind=Kind.UNSUPPORTED, providers=_P,
    ),
    Rule(
        "viber-carousel-alone", "A Viber carousel has top-level media, buttons or choices",
        para("""
            A Viber carousel is a `text` and its cards; images and buttons belong to the
            cards. Top-level `image`, `video`, `document`, `buttons` or `choices` have
            nowhere to go.
        """),
        spec("""
            message:
              text: New this week
              buttons: [{title: Shop, url: "https://shop.example.com"}]
              carousel:
                - title: Blue vase
                  image: "https://cdn.example.com/vase.jpg"
                  buttons: [{title: Buy, url: "https://shop.example.com/vase"}]
                - title: Green lamp
                  image: "https://cdn.example.com/lamp.jpg"
                  buttons: [{title: Buy, url: "https://shop.example.com/lamp"}]
            targets:
              viber: {}
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
              viber: {}
        """),
        kind=Kind.UNSUPPORTED, providers=_P,
    ),
    Rule(
        "viber-carousel-text", "A Viber carousel has no text",
        para("""
            NXCloud requires a carousel's message text (at most 1,000 characters, 200
            recommended), shown above the cards.
        """),
        spec("""
            message:
              carousel:
                - title: Blue vase
                  image: "https://cdn.example.com/vase.jpg"
                  buttons: [{title: Buy, url: "https://shop.example.com/vase"}]
                - title: Green lamp
                  image: "https://cdn.example.com/lamp.jpg"
                  buttons: [{title: Buy, url: "https://shop.example.com/lamp"}]
            targets:
              viber: {}
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
              viber: {}
        """),
        kind=Kind.LIMIT, providers=_P,
        source=_src("消息功能类型 › carousel › text (是, required)",
                    "消息文本(最大长度为1000个字符,推荐长度200)"),
    ),
    Rule(
        "viber-carousel-card-text", "A Viber carousel card has text",
        para("""
            A Viber carousel card shows a title, an image and one or two buttons; it has
            no body text (WhatsApp cards do).

            Move the words into the card's `title`, or keep the text for WhatsApp alone in
            `targets.whatsapp.message`.
        """),
        spec("""
            message:
              text: New this week
              carousel:
                - title: Blue vase
                  text: Hand-made, 30 cm
                  image: "https://cdn.example.com/vase.jpg"
                  buttons: [{title: Buy, url: "https://shop.example.com/vase"}]
                - title: Green lamp
                  image: "https://cdn.example.com/lamp.jpg"
                  buttons: [{title: Buy, url: "https://shop.example.com/lamp"}]
            targets:
              viber: {}
        """),
        spec("""
            message:
              text: New this week
              carousel:
                - title: Blue vase, hand-made, 30 cm
                  image: "https://cdn.example.com/vase.jpg"
                  buttons: [{title: Buy, url: "https://shop.example.com/vase"}]
                - title: Green lamp
                  image: "https://cdn.example.com/lamp.jpg"
                  buttons: [{title: Buy, url: "https://shop.example.com/lamp"}]
            targets:
              viber: {}
        """),
        kind=Kind.UNSUPPORTED, providers=_P,
    ),
    Rule(
        "viber-carousel-card-video", "A Viber carousel card has a video",
        para("""
            Viber carousel cards show an image (`imageUrl`), never a video.

            Give the card an `image` (the video's thumbnail, say) and link to the video
            with its button.
        """),
        spec("""
            message:
              text: New this week
              carousel:
                - title: Blue vase
                  video: "https://cdn.example.com/vase.mp4"
                  buttons: [{title: Buy, url: "https://shop.example.com/vase"}]
                - title: Green lamp
                  image: "https://cdn.example.com/lamp.jpg"
                  buttons: [{title: Buy, url: "https://shop.example.com/lamp"}]
            targets:
              viber: {}
        """),
        spec("""
            message:
              text: New this week
              carousel:
                - title: Blue vase
                  image: "https://cdn.example.com/vase.jpg"
                  buttons: [{title: Watch, url: "https://cdn.example.com/vase.mp4"}]
                - title: Green lamp
                  image: "https://cdn.example.com/lamp.jpg"
                  buttons: [{title: Buy, url: "https://shop.example.com/lamp"}]
            targets:
              viber: {}
        """),
        kind=Kind.UNSUPPORTED, providers=_P,
    ),
    Rule(
        "viber-carousel-card-title", "A Viber carousel card has no title",
        para("""
            Every Viber carousel card has a `title` above its image (the document's
            carousel example gives each card one).
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
              viber: {}
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
              viber: {}
        """),
        kind=Kind.LIMIT, providers=_P,
    ),
    Rule(
        "viber-carousel-card-image", "A Viber carousel card has no image",
        para("""
            Every Viber carousel card shows an image (`imageUrl` in the document's carousel
            example), and a card without one cannot be shown. Give the card an `image`; a
            video can be linked from the card's button.
        """),
        spec("""
            message:
              text: New this week
              carousel:
                - title: Blue vase
                  buttons: [{title: Buy, url: "https://shop.example.com/vase"}]
                - title: Green lamp
                  image: "https://cdn.example.com/lamp.jpg"
                  buttons: [{title: Buy, url: "https://shop.example.com/lamp"}]
            targets:
              viber: {}
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
              viber: {}
        """),
        kind=Kind.LIMIT, providers=_P,
    ),
    Rule(
        "viber-carousel-card-button", "A Viber carousel card has no button",
        para("""
            Every Viber carousel card has a primary button (a label of at most 10
            characters and a link), and may have a secondary one. A card without buttons
            cannot be sent.
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
              viber: {}
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
              viber: {}
        """),
        kind=Kind.LIMIT, providers=_P,
        source=_src("消息功能类型 › carousel › CarouselItem",
                    "按钮文案(在primaryButton中最大为10个字符,在secondaryButton中最大为12个字符)"),
    ),
    Rule(
        "viber-carousel-card-buttons", "A Viber carousel card has more than two buttons",
        para("""
            A Viber carousel card has two button slots, `primaryButton` and
            `secondaryButton`. A third button has nowhere to go.
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
                    - {title: Share, url: "https://shop.example.com/vase/share"}
                - title: Green lamp
                  image: "https://cdn.example.com/lamp.jpg"
                  buttons: [{title: Buy, url: "https://shop.example.com/lamp"}]
            targets:
              viber: {}
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
              viber: {}
        """),
        kind=Kind.UNSUPPORTED, providers=_P,
        source=_src("消息功能类型 › carousel › CarouselItem",
                    "按钮文案(在primaryButton中最大为10个字符,在secondaryButton中最大为12个字符)"),
    ),
    Rule(
        "viber-otp-alone", "A Viber OTP message carries text, media, buttons or choices",
        para("""
            A Viber OTP message is one of NXCloud's nine pre-approved templates: its
            wording is fixed, and only the template's parameters (`otp.params`) vary. Text,
            media, buttons, choices and cards cannot be added to it.
        """),
        spec("""
            message:
              text: Your login code
              otp: {template: 1, language: en, params: {pin: "{{ code }}"}}
            variables:
              code: {type: string, max_length: 8, example: "482910"}
            targets:
              viber: {}
        """),
        spec("""
            message:
              otp: {template: 1, language: en, params: {pin: "{{ code }}"}}
            variables:
              code: {type: string, max_length: 8, example: "482910"}
            targets:
              viber: {}
        """),
        kind=Kind.UNSUPPORTED, providers=_P,
    ),
    Rule(
        "viber-otp-language", "A Viber OTP message has no language, or one NXCloud lacks",
        para("""
            An OTP template message needs `otp.language`, one of the 33 template languages
            NXCloud lists: en ar bg hr cs da de el es fi fr he my hu id it nb nl pl pt br
            ro ru sk sr sv th tr uk vi fa be ja. Note `br` for Brazilian Portuguese and `nb`
            for Norwegian.
        """),
        spec("""
            message:
              otp: {template: 1, language: pt-BR, params: {pin: "{{ code }}"}}
            variables:
              code: {type: string, max_length: 8, example: "482910"}
            targets:
              viber: {}
        """),
        spec("""
            message:
              otp: {template: 1, language: br, params: {pin: "{{ code }}"}}
            variables:
              code: {type: string, max_length: 8, example: "482910"}
            targets:
              viber: {}
        """),
        kind=Kind.LIMIT, providers=_P, found_by=_BOTH,
        source=_src("消息功能类型 › text › templateLang, and Otp模板语言说明",
                    "模板语言(当计费类型为OtpTemplate 时必填) - 参照Otp模板语言说明"),
    ),
    Rule(
        "viber-otp-params", "A Viber OTP message lacks a template parameter, or has an unknown one",
        para("""
            Each of NXCloud's nine OTP templates takes a fixed set of parameters: 1 and 2
            `pin`; 3 `pin`, `businessPlatformName`; 4 `pin`, `codeValidityTime`; 5 `pin`,
            `pinType`, `codeValidityTime`; 6 `pin`, `businessPlatformName`,
            `codeValidityTime`; 7 `pin`, `pinType`; 8 `pin`,
            `businessPlatformActionName`; 9 `pin`, `businessPlatformName`, `codeReason`.
            A missing parameter would leave a hole in the text; an unknown one is a typo.
        """),
        spec("""
            message:
              otp: {template: 4, language: en, params: {pin: "{{ code }}"}}
            variables:
              code: {type: string, max_length: 8, example: "482910"}
            targets:
              viber: {}
        """),
        spec("""
            message:
              otp: {template: 4, language: en, params: {pin: "{{ code }}", codeValidityTime: 5}}
            variables:
              code: {type: string, max_length: 8, example: "482910"}
            targets:
              viber: {}
        """),
        kind=Kind.LIMIT, providers=_P, found_by=_BOTH,
        source=_src("Otp模板说明", "模板参数,括号后面是类型"),
    ),
    Rule(
        "viber-otp-param-type", "A Viber OTP parameter has the wrong type for its template",
        para("""
            The OTP template table types each parameter: `codeValidityTime` is an integer
            (minutes or hours), the others are non-empty strings. A template that renders
            `codeValidityTime` is converted to a number; a `pin` written as a YAML number
            must be quoted, or it is sent as a number (and loses leading zeros).
        """),
        spec("""
            message:
              otp: {template: 4, language: en, params: {pin: 482910, codeValidityTime: 5}}
            targets:
              viber: {}
        """),
        spec("""
            message:
              otp: {template: 4, language: en, params: {pin: "482910", codeValidityTime: 5}}
            targets:
              viber: {}
        """),
        kind=Kind.LIMIT, providers=_P, found_by=_BOTH,
        source=_src("Otp模板说明, template 4", "pin(String)、codeValidityTime(int)"),
    ),
    # -- rate types --------------------------------------------------------------------------
    Rule(
        "viber-rate-type", "The Viber rate type does not fit the kind of message",
        para("""
            NXCloud bills every Viber message at a rate type, and each kind of message
            allows only some: `text` Transactional, Session or Promotional; `image`
            Promotional or Session; `file` Transactional or Session; `list` Transactional;
            every other kind Promotional; OTP template messages always OtpTemplate (msgc
            sets it). `targets.viber.rate_type` must be one the message's kind allows.
        """),
        spec("""
            message:
              text: Summer sale
              image: "https://cdn.example.com/sale.jpg"
            targets:
              viber: {rate_type: Transactional}
        """),
        spec("""
            message:
              text: Summer sale
              image: "https://cdn.example.com/sale.jpg"
            targets:
              viber: {rate_type: Promotional}
        """),
        kind=Kind.LIMIT, providers=_P, found_by=_BOTH,
        source=_src("消息功能类型 › text_image › rateType", "可用的计费类型(Promotional (营销类型))"),
    ),
    Rule(
        "viber-rate-type-missing", "A Viber message that allows several rate types has none",
        para("""
            NXCloud requires a rate type on every message. Where the kind of message
            allows only one, msgc uses it; a plain `text` (Transactional, Session or
            Promotional), an `image` (Promotional or Session) and a `file` (Transactional
            or Session) need `targets.viber.rate_type`, since the choice decides the price
            and who may receive the message.
        """),
        spec("""
            message:
              text: Your order shipped
            targets:
              viber: {}
        """),
        spec("""
            message:
              text: Your order shipped
            targets:
              viber: {rate_type: Transactional}
        """),
        kind=Kind.LIMIT, providers=_P,
        source=_src("消息功能类型 › text › rateType (是, required)",
                    "可用的计费类型(Transactional (验证码类型)/Session (会话类型)/ OtpTemplate "
                    "(otp模板类型)/Promotional (营销类型))"),
    ),
    # -- the request body ------------------------------------------------------------------
    Rule(
        "viber-text-length", "A Viber text is empty or longer than 1,000 characters",
        para("""
            Viber message text is 1 to 1,000 characters, counted in Unicode code points
            (so Cyrillic and emoji count one each, not their bytes). The document states
            1,000 for carousel text and no bound for the other kinds; msgc applies 1,000 to
            every Viber text (list questions have their own 85, see
            `viber-list-text-length`).
        """),
        spec("""
            message:
              text: ""
            targets:
              viber: {rate_type: Transactional}
        """),
        spec("""
            message:
              text: Your order shipped
            targets:
              viber: {rate_type: Transactional}
        """),
        kind=Kind.LIMIT, providers=_P, found_by=_BOTH,
        source=_src("消息功能类型 › carousel › text", "消息文本(最大长度为1000个字符,推荐长度200)",
                    "stated for carousel text; msgc applies it to every Viber text"),
    ),
    Rule(
        "viber-list-text-length", "A Viber list question is empty or longer than 85 characters",
        para("""
            The question above a Viber list's options (the `text` of a message with
            `choices`) is 1 to 85 characters, far less than the 1,000 of other Viber texts.
            Ask a short question; context belongs in a message of its own, sent before.
        """),
        spec("""
            message:
              text: >-
                Thanks for ordering with us! To help us deliver your parcel at a time that
                suits you, please pick one of the slots below
              choices: [Morning, Afternoon]
            targets:
              viber: {}
        """),
        spec("""
            message:
              text: When should we deliver your parcel?
              choices: [Morning, Afternoon]
            targets:
              viber: {}
        """),
        kind=Kind.LIMIT, providers=_P, found_by=_BOTH,
        source=_src("消息功能类型 › list › text", "问答文本(最大长度为85个字符)"),
    ),
    Rule(
        "viber-survey-options-count", "A Viber list has fewer than 2 or more than 5 options",
        para("""
            A Viber list (`choices`) offers 2 to 5 reply options. For more, use a WhatsApp
            list (up to 10 rows), or split the question.
        """),
        spec("""
            message:
              text: Pick a day
              choices: [Mon, Tue, Wed, Thu, Fri, Sat]
            targets:
              viber: {}
        """),
        spec("""
            message:
              text: Pick a day
              choices: [Mon, Tue, Wed, Thu, Fri]
            targets:
              viber: {}
        """),
        kind=Kind.LIMIT, providers=_P, found_by=_BOTH,
        source=_src("消息功能类型 › list › surveyOptions", "可选回复集合(长度为2-5)"),
    ),
    Rule(
        "viber-survey-option-non-empty", "A Viber list option is empty",
        para("""
            Each reply option of a Viber list is shown as a button and sent back as the
            answer, so it cannot be empty (an empty one usually comes from a variable that
            rendered to nothing).
        """),
        spec("""
            message:
              text: Pick a time
              choices: [Morning, ""]
            targets:
              viber: {}
        """),
        spec("""
            message:
              text: Pick a time
              choices: [Morning, Afternoon]
            targets:
              viber: {}
        """),
        kind=Kind.LIMIT, providers=_P, found_by=_BOTH,
    ),
    Rule(
        "viber-carousel-items-count", "A Viber carousel has fewer than 2 or more than 5 cards",
        para("""
            A Viber carousel holds 2 to 5 cards. One card is an image message with a
            button; more than five must be split into several messages.
        """),
        spec("""
            message:
              text: New this week
              carousel:
                - title: Blue vase
                  image: "https://cdn.example.com/vase.jpg"
                  buttons: [{title: Buy, url: "https://shop.example.com/vase"}]
            targets:
              viber: {}
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
              viber: {}
        """),
        kind=Kind.LIMIT, providers=_P, found_by=_BOTH,
        source=_src("消息功能类型 › carousel › carouselItems", "轮播项集合(长度为2-5个)"),
    ),
    Rule(
        "viber-carousel-primary-label",
        "A Viber carousel card's first button label is empty or over 10 characters",
        para("""
            The label of a card's first button (`primaryButton`) is 1 to 10 characters;
            the second button's may have 12 (see `viber-carousel-secondary-label`).
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
              viber: {}
        """),
        spec("""
            message:
              text: New this week
              carousel:
                - title: Blue vase
                  image: "https://cdn.example.com/vase.jpg"
                  buttons: [{title: Buy now, url: "https://shop.example.com/vase"}]
                - title: Green lamp
                  image: "https://cdn.example.com/lamp.jpg"
                  buttons: [{title: Buy, url: "https://shop.example.com/lamp"}]
            targets:
              viber: {}
        """),
        kind=Kind.LIMIT, providers=_P, found_by=_BOTH,
        source=_src("消息功能类型 › carousel › CarouselItem › label",
                    "按钮文案(在primaryButton中最大为10个字符,在secondaryButton中最大为12个字符)"),
    ),
    Rule(
        "viber-carousel-secondary-label",
        "A Viber carousel card's second button label is empty or over 12 characters",
        para("""
            The label of a card's second button (`secondaryButton`) is 1 to 12 characters,
            two more than the first button's (see `viber-carousel-primary-label`). Shorten
            the label, or swap the buttons so that the longer label is the second.
        """),
        spec("""
            message:
              text: New this week
              carousel:
                - title: Blue vase
                  image: "https://cdn.example.com/vase.jpg"
                  buttons:
                    - {title: Buy, url: "https://shop.example.com/vase"}
                    - {title: More about it, url: "https://shop.example.com/vase/info"}
                - title: Green lamp
                  image: "https://cdn.example.com/lamp.jpg"
                  buttons: [{title: Buy, url: "https://shop.example.com/lamp"}]
            targets:
              viber: {}
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
              viber: {}
        """),
        kind=Kind.LIMIT, providers=_P, found_by=_BOTH,
        source=_src("消息功能类型 › carousel › CarouselItem › label",
                    "按钮文案(在primaryButton中最大为10个字符,在secondaryButton中最大为12个字符)"),
    ),
    Rule(
        "viber-button-text-non-empty", "A Viber button has an empty title",
        para("""
            NXCloud requires a button's title (`buttonText`); an empty one usually comes
            from a variable that rendered to nothing.
        """),
        spec("""
            message:
              text: Your order shipped
              buttons: [{title: "", url: "https://t.example.com/A1"}]
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
        kind=Kind.LIMIT, providers=_P, found_by=_BOTH,
        source=_src("消息功能类型 › text_button › buttonText (是, required)", "按钮标题"),
    ),
    Rule(
        "viber-file-name-non-empty", "A Viber file has an empty file name",
        para("""
            NXCloud requires a file's name (`fileName`), which the recipient sees and saves
            the file under; an empty one usually comes from a variable that rendered to
            nothing. Give `document.filename`, with its extension.
        """),
        spec("""
            message:
              document: {url: "https://files.example.com/inv-1029.pdf", filename: "", type: pdf}
            targets:
              viber: {rate_type: Transactional}
        """),
        spec("""
            message:
              document: {url: "https://files.example.com/inv-1029.pdf", filename: inv-1029.pdf}
            targets:
              viber: {rate_type: Transactional}
        """),
        kind=Kind.LIMIT, providers=_P, found_by=_BOTH,
        source=_src("消息功能类型 › file › fileName (是, required)", "文件名"),
    ),
    Rule(
        "viber-url", "A Viber link is not an http(s) URL",
        para("""
            Every link in a Viber message (image, button link, file, video, thumbnail,
            carousel image and button) is fetched or opened by Viber, and must be an
            `http://` or `https://` URL. A relative path, a `www.` address without a scheme
            or a template that rendered to plain text is refused.
        """),
        spec("""
            message:
              text: Summer sale
              image: "cdn.example.com/sale.jpg"
            targets:
              viber: {rate_type: Promotional}
        """),
        spec("""
            message:
              text: Summer sale
              image: "https://cdn.example.com/sale.jpg"
            targets:
              viber: {rate_type: Promotional}
        """),
        kind=Kind.LIMIT, providers=_P, found_by=_BOTH,
        source=_src("消息功能类型 › carousel › actionUrl", "按钮触发的url",
                    "every link field of the document is a URL, and every example an http(s) one"),
    ),
    Rule(
        "viber-video-size", "A Viber video's size is out of range (1 byte to 200 MB)",
        para("""
            `video.size` is the file's size in bytes, a whole number from 1 to 200 MB,
            read as 200 MiB = 209,715,200 bytes. Larger videos must be shortened or
            compressed, or linked with a button.
        """),
        spec("""
            message:
              text: Our new collection
              video:
                url: "https://cdn.example.com/a.mp4"
                thumbnail: "https://cdn.example.com/a.jpg"
                size: 300000000
                duration: 15
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
        kind=Kind.LIMIT, providers=_P, found_by=_BOTH,
        source=_src("消息功能类型 › video › videoSize", "视频文件大小(单位:字节,不能超过200MB)",
                    "200MB read as 200 MiB = 209,715,200 bytes"),
    ),
    Rule(
        "viber-video-duration", "A Viber video's duration is out of range (1 to 600 seconds)",
        para("""
            `video.duration` is the video's length in whole seconds, at most 600 (ten
            minutes). Longer videos cannot be sent as a Viber video: shorten the video, or
            send a link to it with a button.
        """),
        spec("""
            message:
              text: Our new collection
              video:
                url: "https://cdn.example.com/a.mp4"
                thumbnail: "https://cdn.example.com/a.jpg"
                size: 882472
                duration: 900
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
        kind=Kind.LIMIT, providers=_P, found_by=_BOTH,
        source=_src("消息功能类型 › video › duration", "视频时间(单位:秒,不能超过600s)"),
    ),
    Rule(
        "viber-phone-digits", "The Viber recipient is not 7-15 digits",
        para("""
            NXCloud's `phone` is the recipient's Viber number with its country code. msgc
            sends digits only, 7 to 15 of them (the E.164 maximum); `--to` and recipients
            files accept `+`, spaces, dashes, dots and parentheses and remove them.
        """),
        payload("""
            {"appkey": "pem28kje", "phone": "+7 900 123-45-67", "functionType": "text",
             "messageData": {"rateType": "Transactional", "text": "Your order shipped"}}
        """),
        payload("""
            {"appkey": "pem28kje", "phone": "79001234567", "functionType": "text",
             "messageData": {"rateType": "Transactional", "text": "Your order shipped"}}
        """),
        kind=Kind.LIMIT, providers=_P, found_by=("render", "send", "check-payload"),
        source=_src("body参数 › phone", "消息接收方的Viber号码,需要带国码。如86158xxxx1795",
                    "msgc bounds it at 7-15 digits, the E.164 maximum"),
        help_uri="https://www.itu.int/rec/T-REC-E.164",
    ),
    Rule(
        "viber-appkey-non-empty", "The Viber `appkey` is empty",
        para("""
            `appkey` names the NXCloud application that sends the message. It comes from
            `--appkey`, the spec's `targets.viber.appkey`, `NXCLOUD_APPKEY` or the config's
            `[envelope]` table, and cannot be empty.
        """),
        payload("""
            {"appkey": "", "phone": "79001234567", "functionType": "text",
             "messageData": {"rateType": "Transactional", "text": "Your order shipped"}}
        """),
        payload("""
            {"appkey": "pem28kje", "phone": "79001234567", "functionType": "text",
             "messageData": {"rateType": "Transactional", "text": "Your order shipped"}}
        """),
        kind=Kind.LIMIT, providers=_P, found_by=("render", "send", "check-payload"),
        source=_src("body参数 › appkey (是, required)", "应用appkey"),
    ),
    Rule(
        "viber-appkey", "The spec's `targets.viber.appkey` is empty",
        para("""
            A spec may name its NXCloud application in `targets.viber.appkey` (an
            identifier, not a secret). When given, it cannot be empty; leave the key out to
            take it from `--appkey`, `NXCLOUD_APPKEY` or the config's `[envelope]`.
        """),
        spec("""
            message:
              text: Your order shipped
            targets:
              viber: {rate_type: Transactional, appkey: ""}
        """),
        spec("""
            message:
              text: Your order shipped
            targets:
              viber: {rate_type: Transactional, appkey: pem28kje}
        """),
        kind=Kind.INPUT, providers=_P,
    ),
    Rule(
        "viber-function-type", "The Viber `functionType` is not one NXCloud knows",
        para("""
            `functionType` is one of text, image, text_image, text_image_button,
            text_button, file, video, video_text, video_text_button, list and carousel.
            msgc picks it from the message's content; in a hand-written payload note that
            the document's carousel example misspells it `carsoucel`.
        """),
        payload("""
            {"appkey": "pem28kje", "phone": "79001234567", "functionType": "carsoucel",
             "messageData": {"rateType": "Promotional", "text": "New this week",
                             "carouselItems": []}}
        """),
        payload("""
            {"appkey": "pem28kje", "phone": "79001234567", "functionType": "text",
             "messageData": {"rateType": "Promotional", "text": "New this week"}}
        """),
        kind=Kind.LIMIT, providers=_P, found_by=PAYLOAD,
        source=_src("body参数 › functionType", "Viber消息功能类型,消息支持以下功能类型的发送"),
    ),
    Rule(
        "viber-otp-template-id-non-empty", "A Viber OTP template id is empty",
        para("""
            An OTP template message names its template (`templateId`, msgc's
            `otp.template`): NXCloud's template number, 1 to 9.
        """),
        spec("""
            message:
              otp: {template: "", language: en, params: {pin: "{{ code }}"}}
            variables:
              code: {type: string, max_length: 8, example: "482910"}
            targets:
              viber: {}
        """),
        spec("""
            message:
              otp: {template: 1, language: en, params: {pin: "{{ code }}"}}
            variables:
              code: {type: string, max_length: 8, example: "482910"}
            targets:
              viber: {}
        """),
        kind=Kind.LIMIT, providers=_P, found_by=_BOTH,
        source=_src("消息功能类型 › text › templateId",
                    "模板id(当计费类型为OtpTemplate 时必填) - 参照Otp模板说明"),
    ),
    Rule(
        "viber-text-or-template", "A Viber text message mixes text and OTP template fields",
        para("""
            A Viber `text` message is either plain text (rate types Transactional, Session
            and Promotional: `text` required) or an OTP template (rate type OtpTemplate:
            `templateId`, `templateParams` and `templateLang` required, no `text`).
        """),
        payload("""
            {"appkey": "pem28kje", "phone": "79001234567", "functionType": "text",
             "messageData": {"rateType": "OtpTemplate", "text": "Your code is 482910"}}
        """),
        payload("""
            {"appkey": "pem28kje", "phone": "79001234567", "functionType": "text",
             "messageData": {"rateType": "OtpTemplate", "templateId": "1",
                             "templateParams": {"pin": "482910"}, "templateLang": "en"}}
        """),
        kind=Kind.LIMIT, providers=_P, found_by=PAYLOAD,
        source=_src("消息功能类型 › text › text",
                    "文本消息内容(当计费类型为Transactional /Session /Promotional 时必填)"),
    ),
    Rule(
        "viber-required", "A required field of the Viber request body is missing",
        para("""
            A field NXCloud marks as required (是) is missing from a hand-written payload:
            `appkey`, `phone`, `functionType`, `messageData`, its `rateType`, or a field
            the function type needs (`image`, `buttonText`, `fileLink`, `videoLink`, ...).
            msgc's own payloads always carry them.
        """),
        payload("""
            {"appkey": "pem28kje", "phone": "79001234567", "functionType": "image",
             "messageData": {"rateType": "Promotional"}}
        """),
        payload("""
            {"appkey": "pem28kje", "phone": "79001234567", "functionType": "image",
             "messageData": {"rateType": "Promotional", "image": "https://cdn.example.com/a.jpg"}}
        """),
        kind=Kind.LIMIT, providers=_P, found_by=PAYLOAD,
    ),
    Rule(
        "viber-additional-properties", "A Viber setting or body field msgc does not know",
        para("""
            In a spec: a key under `targets.viber` that is not a Viber setting
            (`rate_type`, `appkey`, `message`), usually a typo. In a hand-written payload: a
            field the NXCloud document does not list for that function type. The finding
            suggests the closest known name.
        """),
        spec("""
            message:
              text: Your order shipped
            targets:
              viber: {rate-type: Transactional}
        """),
        spec("""
            message:
              text: Your order shipped
            targets:
              viber: {rate_type: Transactional}
        """),
        kind=Kind.INPUT, providers=_P, found_by=_BOTH,
    ),
    Rule(
        "viber-type", "A Viber setting or body field has the wrong type",
        para("""
            In a spec: a Viber setting of the wrong type (`appkey: 12345` is a number,
            quote it). In a hand-written payload: a field of the wrong JSON type, for
            example `videoSize` as a string.
        """),
        spec("""
            message:
              text: Your order shipped
            targets:
              viber: {rate_type: Transactional, appkey: 12345}
        """),
        spec("""
            message:
              text: Your order shipped
            targets:
              viber: {rate_type: Transactional, appkey: "12345"}
        """),
        kind=Kind.INPUT, providers=_P, found_by=_BOTH,
    ),
    # -- worst case ----------------------------------------------------------------------------
    _may_exceed("viber-text-may-exceed", "viber-text-length", "a Viber text", "1,000 characters",
                """
        variables:
          body: {type: string, max_length: 1200, example: Our autumn range is here}
        message:
          text: "{{ body }}"
        targets:
          viber: {rate_type: Promotional}
    """, """
        variables:
          body: {type: string, max_length: 1000, example: Our autumn range is here}
        message:
          text: "{{ body }}"
        targets:
          viber: {rate_type: Promotional}
    """),
    _may_exceed("viber-list-text-may-exceed", "viber-list-text-length", "a Viber list question",
                "85 characters", """
        variables:
          name: {type: string, max_length: 64, example: Ada}
        message:
          text: "{{ name }}, when should the courier bring your parcel?"
          choices: [Morning, Afternoon]
        targets:
          viber: {}
    """, """
        variables:
          name: {type: string, max_length: 30, example: Ada}
        message:
          text: "{{ name }}, when should the courier bring your parcel?"
          choices: [Morning, Afternoon]
        targets:
          viber: {}
    """),
    _may_exceed("viber-carousel-primary-label-may-exceed", "viber-carousel-primary-label",
                "a Viber carousel card's first button label", "10 characters", """
        variables:
          action: {type: string, enum: [Buy, Buy it now], example: Buy}
        message:
          text: New this week
          carousel:
            - title: Blue vase
              image: "https://cdn.example.com/vase.jpg"
              buttons: [{title: "{{ action }}!", url: "https://shop.example.com/vase"}]
            - title: Green lamp
              image: "https://cdn.example.com/lamp.jpg"
              buttons: [{title: Buy, url: "https://shop.example.com/lamp"}]
        targets:
          viber: {}
    """, """
        variables:
          action: {type: string, enum: [Buy, Buy now], example: Buy}
        message:
          text: New this week
          carousel:
            - title: Blue vase
              image: "https://cdn.example.com/vase.jpg"
              buttons: [{title: "{{ action }}!", url: "https://shop.example.com/vase"}]
            - title: Green lamp
              image: "https://cdn.example.com/lamp.jpg"
              buttons: [{title: Buy, url: "https://shop.example.com/lamp"}]
        targets:
          viber: {}
    """),
    _may_exceed("viber-carousel-secondary-label-may-exceed", "viber-carousel-secondary-label",
                "a Viber carousel card's second button label", "12 characters", """
        variables:
          more: {type: string, max_length: 16, example: Details}
        message:
          text: New this week
          carousel:
            - title: Blue vase
              image: "https://cdn.example.com/vase.jpg"
              buttons:
                - {title: Buy, url: "https://shop.example.com/vase"}
                - {title: "{{ more }}", url: "https://shop.example.com/vase/info"}
            - title: Green lamp
              image: "https://cdn.example.com/lamp.jpg"
              buttons: [{title: Buy, url: "https://shop.example.com/lamp"}]
        targets:
          viber: {}
    """, """
        variables:
          more: {type: string, max_length: 12, example: Details}
        message:
          text: New this week
          carousel:
            - title: Blue vase
              image: "https://cdn.example.com/vase.jpg"
              buttons:
                - {title: Buy, url: "https://shop.example.com/vase"}
                - {title: "{{ more }}", url: "https://shop.example.com/vase/info"}
            - title: Green lamp
              image: "https://cdn.example.com/lamp.jpg"
              buttons: [{title: Buy, url: "https://shop.example.com/lamp"}]
        targets:
          viber: {}
    """),
    # -- sending ---------------------------------------------------------------------------
    Rule(
        "viber-send-failed", "NXCloud refused the message",
        para("""
            NXCloud answered with an error code, so the message was not accepted and
            nothing was delivered. The finding gives the code, its documented meaning and
            what to do: authentication codes 1000-1005 (keys, clock, permissions), 1100
            and 1102 (account, balance), 9000-9011 (the request, the number, the app).
            Retries happen only where nothing can have been accepted; a refusal is never
            retried.
        """),
        _REFUSED,
        shell("""
            $ msgc send order.yaml -p viber --to 79001234567 --var order_id=A-1
            b81e8e9fcbbb422a813863e903de94bd
        """),
        kind=Kind.OPERATION, providers=_P, found_by=SEND,
    ),
    Rule(
        "viber-send-unknown", "No readable answer came back: the message may or may not have been sent",
        para("""
            The request left, but the connection failed, timed out or brought back an
            answer that cannot be read, so NXCloud may have accepted it. msgc never
            re-sends such a message by itself (the recipient could get it twice).

            Check NXCloud's delivery reports before sending it again.
        """),
        shell("""
            $ msgc send order.yaml -p viber --to 79001234567 --timeout 1 --var order_id=A-1
        """),
        shell("""
            $ msgc send order.yaml -p viber --to 79001234567 --timeout 30 --var order_id=A-1
        """),
        kind=Kind.OPERATION, providers=_P, found_by=SEND,
    ),
)
