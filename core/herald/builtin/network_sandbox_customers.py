"""Simulated customers of the sandbox network: people writing to a tenant's sandbox accounts in
English, Arabic, Persian, Urdu and Hindi — questions about orders, complaints (some asking for
a refund), praise and sales enquiries — as mentions, comments under the account's posts and
direct messages, some of them writing again in a conversation they started.

Arrivals follow a Poisson process (exponential gaps at a rate per account) from where the last
simulation of the account stopped, bounded per call; everything random comes from the ``rng``
passed in, so a seed gives the same customers every time."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from herald.builtin.network_sandbox_engagement import (
    account_key,
    add_engagement,
    add_inbound,
    delete_engagement,
    dm_thread_id,
    edit_engagement,
    lock_state,
)
from herald.builtin.network_sandbox_models import SandboxEngagement, SandboxPost
from herald.plugins import AuthorProfile, ConnectedAccount

DEFAULT_PER_MINUTE = 2.0
#: at most this many items per call, however long since the last one
MAX_PER_CALL = 20
#: a first simulation, or one after a long pause, looks back no further than this
FIRST_LOOKBACK = timedelta(minutes=5)
MAX_CATCH_UP = timedelta(minutes=30)
EDIT_CHANCE = 0.04
DELETE_CHANCE = 0.02
FOLLOW_UP_CHANCE = 0.45
ANSWER_COMMENT_CHANCE = 0.25
LANGUAGE_WEIGHTS = {"en": 40, "ar": 20, "fa": 14, "ur": 12, "hi": 14}
KIND_WEIGHTS = {"dm": 40, "comment": 35, "mention": 25}


@dataclass(frozen=True)
class Customer:
    handle: str
    display_name: str
    followers: int
    verified: bool
    language: str

    def profile(self) -> AuthorProfile:
        return AuthorProfile(remote_id=f"sbxu_{self.handle}", handle=self.handle, display_name=self.display_name,
                             followers=self.followers, verified=self.verified, language=self.language)


CUSTOMERS: dict[str, list[Customer]] = {
    "en": [Customer("sarah_sips", "Sarah Mitchell", 312, False, "en"),
           Customer("tom.brews", "Tom Harris", 1_204, False, "en"),
           Customer("james_w", "James Walker", 87, False, "en"),
           Customer("mia.reads", "Mia Chen", 640, False, "en"),
           Customer("londoneats", "London Eats", 1_250_000, True, "en")],
    "ar": [Customer("ahmad_dxb", "أحمد المنصوري", 2_300, False, "ar"),
           Customer("noura.k", "نورة الكعبي", 15_400, False, "ar"),
           Customer("khalid_90", "خالد العتيبي", 190, False, "ar"),
           Customer("gulf_food_guide", "دليل المطاعم الخليجي", 860_000, True, "ar")],
    "fa": [Customer("sara_tehrani", "سارا تهرانی", 720, False, "fa"),
           Customer("reza.coffee", "رضا احمدی", 3_100, False, "fa"),
           Customer("maryam_m", "مریم موسوی", 95, False, "fa")],
    "ur": [Customer("ali_lhr", "علی رضا", 410, False, "ur"),
           Customer("ayesha.k", "عائشہ خان", 5_600, False, "ur"),
           Customer("karachi_foodies", "کراچی فوڈیز", 410_000, True, "ur")],
    "hi": [Customer("rohan_sharma", "रोहन शर्मा", 980, False, "hi"),
           Customer("ananya.b", "अनन्या बोस", 12_300, False, "hi"),
           Customer("vikas_k", "विकास कुमार", 150, False, "hi"),
           Customer("mumbai_cafe_trail", "Mumbai Cafe Trail", 265_000, True, "hi")],
}

# language → what customers write first ({order}: an order number)
MESSAGES: dict[str, list[str]] = {
    "en": [
        "Hi! I ordered the house blend last Tuesday (order #{order}) and it still says processing. When will it ship?",
        "Do you deliver to Leeds? I can't find it at checkout.",
        "Is the oat milk latte still on the menu at the Soho store?",
        "Order #{order} arrived with the lid cracked and coffee all over the box. I'd like a refund please.",
        "Third time this month my mobile order wasn't ready when I arrived. Really disappointing.",
        "I was charged twice for order #{order}. Please refund the second payment.",
        "The new Ethiopian single origin is fantastic. Best cup I've had all week ☕",
        "Shout out to the barista at the airport store this morning, so friendly!",
        "We're opening an office café for 200 people. Do you do wholesale or catering contracts?",
        "I run a small hotel group in Manchester. Who can I talk to about supplying beans to our restaurants?",
    ],
    "ar": [
        "مرحباً، طلبت حبوب القهوة يوم الثلاثاء (طلب رقم {order}) وما زال قيد المعالجة. متى سيتم الشحن؟",
        "هل توصلون إلى الشارقة؟",
        "هل فرع دبي مول مفتوح الآن؟",
        "وصل الطلب رقم {order} والعلبة مكسورة. أريد استرداد المبلغ من فضلكم.",
        "انتظرت أكثر من نصف ساعة ولم يصل طلبي. خدمة سيئة جداً.",
        "تم خصم المبلغ مرتين من بطاقتي. أرجو استرداد المبلغ.",
        "القهوة عندكم رائعة، شكراً لفريق فرع الكرامة ☕",
        "أفضل لاتيه جربته في دبي!",
        "نحن شركة في أبوظبي ونبحث عن مورد قهوة لمكاتبنا. هل لديكم عروض للشركات؟",
    ],
    "fa": [
        "سلام، سفارش شماره {order} را هفته‌ی پیش ثبت کردم ولی هنوز ارسال نشده. کی به دستم می‌رسد؟",
        "به شیراز هم ارسال دارید؟",
        "بسته‌ام آسیب‌دیده رسید و نصف قهوه ریخته بود. لطفاً پولم را برگردانید.",
        "برای سفارش {order} دو بار از حسابم پول کم شده. درخواست بازپرداخت دارم.",
        "خیلی ناراضی‌ام، سفارشم اشتباه آمد.",
        "قهوه‌ی جدیدتان عالی است، ممنون!",
        "برخورد کارکنان شعبه واقعاً دوستانه بود.",
        "برای دفترمان حدود پنجاه نفر قهوه‌ی عمده می‌خواهیم. قیمت عمده دارید؟",
    ],
    "ur": [
        "السلام علیکم، میرا آرڈر نمبر {order} ابھی تک نہیں پہنچا۔ کب تک ملے گا؟",
        "کیا آپ لاہور میں ڈیلیوری کرتے ہیں؟",
        "مجھے غلط آرڈر ملا ہے اور پیکٹ بھی پھٹا ہوا تھا۔ براہ کرم رقم واپس کریں۔",
        "میرے کارڈ سے دو بار پیسے کٹ گئے۔ مجھے ریفنڈ چاہیے۔",
        "آپ کی کافی بہت مزیدار ہے، شکریہ!",
        "اسٹاف بہت اچھا تھا، دوبارہ ضرور آؤں گا۔",
        "ہم اپنے دفتر کے لیے ہر مہینے کافی خریدنا چاہتے ہیں۔ کیا آپ ہول سیل ریٹ دیتے ہیں؟",
    ],
    "hi": [
        "नमस्ते, मेरा ऑर्डर #{order} अभी तक नहीं आया। कब तक डिलीवर होगा?",
        "क्या आप पुणे में डिलीवरी करते हैं?",
        "पैकेट टूटा हुआ आया और आधी कॉफ़ी गिर गई थी। कृपया रिफ़ंड कर दीजिए।",
        "मेरे कार्ड से दो बार पैसे कट गए। यह बिल्कुल ठीक नहीं है।",
        "आपकी नई कोल्ड ब्रू कमाल की है! 👏",
        "स्टाफ़ बहुत मददगार था, धन्यवाद।",
        "हमारे ऑफ़िस के लिए हर महीने थोक में कॉफ़ी चाहिए। क्या आप कॉरपोरेट रेट देते हैं?",
    ],
}

# language → what a customer writes again in a conversation
FOLLOW_UPS: dict[str, list[str]] = {
    "en": ["Any update on this?", "Still waiting for a reply…", "Thanks, that sorted it!",
           "Sorry, one more question: do you have decaf too?"],
    "ar": ["هل من جديد بخصوص طلبي؟", "ما زلت أنتظر الرد.", "شكراً جزيلاً، تم حل المشكلة!"],
    "fa": ["خبری نشد؟", "هنوز منتظر جواب هستم.", "ممنون، مشکل حل شد!"],
    "ur": ["کوئی اپڈیٹ؟", "ابھی تک جواب کا انتظار ہے۔", "بہت شکریہ، مسئلہ حل ہو گیا!"],
    "hi": ["कोई अपडेट?", "अभी भी जवाब का इंतज़ार है।", "धन्यवाद, समस्या हल हो गई!"],
}

# language → what a customer adds when editing
EDIT_NOTES: dict[str, str] = {
    "en": " (edit: my order number is #{order})",
    "ar": " (تعديل: رقم الطلب {order})",
    "fa": " (ویرایش: شماره‌ی سفارش {order})",
    "ur": " (ترمیم: آرڈر نمبر {order})",
    "hi": " (संपादित: ऑर्डर नंबर {order})",
}
RTL = frozenset({"ar", "fa", "ur"})


def simulate_customers(session: Session, tenant_id: str, account: ConnectedAccount, now: datetime,
                       rng: random.Random, *, per_minute: float = DEFAULT_PER_MINUTE,
                       cap: int = MAX_PER_CALL) -> list[SandboxEngagement]:
    """Customers' engagement with ``account`` since its last simulation, up to ``now``: the items
    made, edited or deleted (at most ``cap``). Arrivals keep their own instants."""
    key = account_key(account)
    state = lock_state(session, tenant_id, key)
    start = max(state.simulated_until or now - FIRST_LOOKBACK, now - MAX_CATCH_UP)
    changed: list[SandboxEngagement] = []
    at = start
    rate = per_minute / 60.0
    while rate > 0 and len(changed) < cap:
        at += timedelta(seconds=rng.expovariate(rate))
        if at > now:
            break
        changed.append(customer_writes(session, tenant_id, account, at, rng))
    # what did not fit under the cap is dropped, not owed: a quiet account does not flood later
    state.simulated_until = max(now, state.simulated_until or now)
    session.flush()
    return changed


def customer_writes(session: Session, tenant_id: str, account: ConnectedAccount, at: datetime,
                    rng: random.Random, *, changes: bool = True) -> SandboxEngagement:
    """One customer's action at ``at``: now and then an edit or a deletion of a recent message
    (when ``changes``), otherwise a new mention, comment or direct message."""
    key = account_key(account)
    roll = rng.random()
    if changes and roll < EDIT_CHANCE + DELETE_CHANCE:
        recent = _recent_inbound(session, tenant_id, key)
        if recent:
            row = rng.choice(recent)
            if roll < EDIT_CHANCE:
                note = EDIT_NOTES.get(row.language or "en", EDIT_NOTES["en"])
                return edit_engagement(session, row, row.text + note.format(order=_order(rng)), at)
            return delete_engagement(session, row, at)
    posts = session.scalars(select(SandboxPost.id).where(
        SandboxPost.tenant_id == tenant_id, SandboxPost.account_remote_id == key, SandboxPost.deleted_at.is_(None))
        .order_by(SandboxPost.created_at.desc(), SandboxPost.id).limit(10)).all()
    kind = _weighted(rng, {k: w for k, w in KIND_WEIGHTS.items() if k != "comment" or posts})
    if kind == "dm" and rng.random() < FOLLOW_UP_CHANCE:
        earlier = _earlier_correspondent(session, tenant_id, key, rng)
        if earlier is not None:
            lang = earlier.language or "en"
            return add_inbound(session, tenant_id, key, kind="dm", author=earlier,
                               text=rng.choice(FOLLOW_UPS.get(lang, FOLLOW_UPS["en"])), created_at=at, language=lang)
    lang = _weighted(rng, LANGUAGE_WEIGHTS)
    customer = rng.choice(CUSTOMERS[lang])
    text = rng.choice(MESSAGES[lang]).format(order=_order(rng))
    if kind == "mention":
        text = f"{text} @{account.handle}" if lang in RTL else f"@{account.handle} {text}"
        return add_inbound(session, tenant_id, key, kind="mention", author=customer.profile(), text=text,
                           created_at=at, language=lang)
    if kind == "comment":
        post_id = rng.choice(posts)
        parent = post_id
        if rng.random() < ANSWER_COMMENT_CHANCE:
            under = session.scalars(select(SandboxEngagement.remote_id).where(
                SandboxEngagement.tenant_id == tenant_id, SandboxEngagement.account_remote_id == key,
                SandboxEngagement.kind == "comment", SandboxEngagement.thread_id == post_id,
                SandboxEngagement.deleted_at.is_(None)).order_by(SandboxEngagement.seq)).all()
            if under:
                parent = rng.choice(under)
        return add_inbound(session, tenant_id, key, kind="comment", author=customer.profile(), text=text,
                           created_at=at, language=lang, in_reply_to=parent)
    return add_inbound(session, tenant_id, key, kind="dm", author=customer.profile(), text=text, created_at=at,
                       language=lang)


def _recent_inbound(session: Session, tenant_id: str, key: str) -> list[SandboxEngagement]:
    return list(session.scalars(select(SandboxEngagement).where(
        SandboxEngagement.tenant_id == tenant_id, SandboxEngagement.account_remote_id == key,
        SandboxEngagement.direction == "inbound", SandboxEngagement.deleted_at.is_(None))
        .order_by(SandboxEngagement.seq.desc()).limit(10)).all())


def _earlier_correspondent(session: Session, tenant_id: str, key: str, rng: random.Random) -> AuthorProfile | None:
    """Someone who wrote to the account by direct message before, as they last described themselves."""
    ids = session.scalars(select(SandboxEngagement.author_remote_id).where(
        SandboxEngagement.tenant_id == tenant_id, SandboxEngagement.account_remote_id == key,
        SandboxEngagement.kind == "dm", SandboxEngagement.direction == "inbound")
        .group_by(SandboxEngagement.author_remote_id).order_by(SandboxEngagement.author_remote_id)).all()
    if not ids:
        return None
    chosen = rng.choice(ids)
    last = session.scalars(select(SandboxEngagement).where(
        SandboxEngagement.tenant_id == tenant_id, SandboxEngagement.account_remote_id == key,
        SandboxEngagement.thread_id == dm_thread_id(chosen), SandboxEngagement.direction == "inbound")
        .order_by(SandboxEngagement.seq.desc())).first()
    if last is None:
        return None
    return AuthorProfile(remote_id=last.author_remote_id, handle=last.author_handle,
                         display_name=last.author_display_name, followers=last.author_followers,
                         verified=last.author_verified, language=last.author_language or last.language)


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _order(rng: random.Random) -> int:
    return rng.randint(10_000, 99_999)


# ----------------------------------------------------------------------------- a starting set
def seed_engagement(session: Session, tenant_id: str, account: ConnectedAccount, now: datetime,
                    rng: random.Random, *, count: int = 14, span: timedelta = timedelta(hours=36)) -> None:
    """A history for a fresh account (the demo's): ``count`` customer messages spread over the
    last ``span``, answers the account sent from elsewhere in some conversations (outbound, no
    Herald marker), and the simulation clock set to ``now``. Messages older than a day leave
    conversations whose 24-hour window has closed."""
    key = account_key(account)
    me = AuthorProfile(remote_id=key, handle=account.handle, display_name=account.handle)
    step = span / max(count, 1)
    for i in range(count):
        at = now - span + step * i + timedelta(seconds=rng.uniform(0, step.total_seconds() / 2))
        row = customer_writes(session, tenant_id, account, at, rng, changes=False)
        if row.kind == "dm" and rng.random() < 0.3:
            lang = row.language or "en"
            add_engagement(session, tenant_id, key, kind="dm", direction="outbound", author=me,
                           text=ANSWERS.get(lang, ANSWERS["en"]), created_at=min(now, at + timedelta(minutes=7)),
                           language=lang, thread_id=row.thread_id)
    lock_state(session, tenant_id, key).simulated_until = now
    session.flush()


# language → how the account answered before Herald was connected
ANSWERS: dict[str, str] = {
    "en": "Thanks for getting in touch! Could you send us your order number so we can check?",
    "ar": "شكراً لتواصلك معنا! هل يمكنك إرسال رقم الطلب لنتحقق منه؟",
    "fa": "ممنون که با ما در تماس هستید! لطفاً شماره‌ی سفارش را بفرستید تا بررسی کنیم.",
    "ur": "رابطہ کرنے کا شکریہ! براہ کرم اپنا آرڈر نمبر بھیجیں تاکہ ہم چیک کر سکیں۔",
    "hi": "संपर्क करने के लिए धन्यवाद! कृपया अपना ऑर्डर नंबर भेजें ताकि हम देख सकें।",
}
