"""Short stop-word lists for the top-terms view (en, ar, fa, ur, hi), folded as the matcher
folds text (:func:`herald.listening.query.normalise.fold`), so variants of one word are one
entry. Written for this view: the commonest function words of each language, nothing more."""

from __future__ import annotations

from herald.listening.query.normalise import fold

_RAW = {
    "en": """a about above after again against all am an and any are as at be because been before being below
        between both but by can could did do does doing down during each few for from further had has have having
        he her here hers herself him himself his how i if in into is it its itself just me more most my myself no
        nor not now of off on once only or other our ours ourselves out over own same she should so some such than
        that the their theirs them themselves then there these they this those through to too under until up very
        was we were what when where which while who whom why will with would you your yours yourself yourselves
        im dont cant get got go like one also really rt amp via""",
    "ar": """في من على إلى عن مع هذا هذه ذلك تلك التي الذي الذين هو هي هم هن أنا نحن أنت أنتم كان كانت يكون
        ما لا لم لن إن أن أو ثم بل قد كل بعض غير بين عند حتى إذا كما لقد منذ هل يا و ف ب ل ك ال""",
    "fa": """و در به از که این آن با را برای است هست بود شد می نمی ها های یک تا هم یا اما ولی اگر چه چون
        خود او ما من تو شما آنها ایشان دیگر هر همه بر پس نیز باید شود کرد کند کنند دارد داشت""",
    "ur": """کا کی کے کو میں سے پر اور یہ وہ ہے ہیں تھا تھی تھے ہو گا گی گے نہیں بھی تو جو کہ اس ان ایک
        کر کیا کرتے کرنا ہم آپ میرا تمہارا اپنا لیے ساتھ بہت اب""",
    "hi": """का की के को में से पर और यह वह है हैं था थी थे हो गा गी गे नहीं भी तो जो कि इस उस एक
        कर किया करते करना हम आप मेरा अपना लिए साथ बहुत अब ही या तक""",
}

STOP_WORDS: dict[str, frozenset[str]] = {code: frozenset(fold(w) for w in words.split())
                                         for code, words in _RAW.items()}
#: for a hit of unknown language: every list
ANY = frozenset().union(*STOP_WORDS.values())


def stop_words(language: str | None) -> frozenset[str]:
    return STOP_WORDS.get((language or "").split("-")[0].lower(), ANY)
