"""Cue lexicons per language: the words and phrases that signal each intent, the question words,
the negators and the words that put a question about an order or account.

Entries are written as people type them; they are normalised with the text (see
:mod:`herald_enrich_intent.normalise`), so one spelling of Arabic-script letters covers the
others. An entry of several words matches those words in a row; an entry ending in ``*`` matches
any word starting with it. ``hi_latn`` is Hindi written in Latin letters (as in "kitne ka hai").
Written for this plugin by its authors (see the README); no third-party word list is used.
"""

from __future__ import annotations

LANGS = ("en", "ar", "fa", "ur", "hi", "hi_latn")

EN: dict[str, tuple[str, ...]] = {
    "sales_enquiry": (
        "price", "prices", "pricing", "how much", "how much is", "how much does", "cost", "costs", "price list",
        "buy", "purchase", "for sale", "in stock", "out of stock", "back in stock", "availability", "available in",
        "want to order", "like to order", "place an order", "how to order", "how do i order", "can i order",
        "discount", "discounts", "offer", "offers", "deal", "deals", "quote", "quotation", "catalog", "catalogue",
        "where can i buy", "where to buy", "do you sell", "do you ship", "ship to", "shipping cost",
        "delivery charges", "wholesale", "bulk order", "interested in", "interested", "book a demo", "demo",
        "free trial", "trial", "plans", "pricing plans", "upgrade to", "payment options", "installments",
        "cash on delivery", "coupon", "promo code", "rate", "rates", "dm price", "pm price", "sizes",
        "colours", "colors", "shop", "store near", "franchise", "reseller", "subscription cost", "per month",
        "i want one", "i want to buy", "need a quote", "sell me", "preorder", "pre-order", "enterprise plan",
    ),
    "support_issue": (
        "broken", "not working", "doesn't work", "does not work", "stopped working", "isn't working",
        "won't turn on", "won't load", "wont work", "error", "bug", "crash*", "can't login", "cannot login",
        "can't log in", "cannot log in", "unable to", "not able to", "help me", "need help", "please help",
        "issue", "issues", "problem", "refund", "refunds", "return", "replace", "replacement", "wrong item",
        "damaged", "defective", "faulty", "hasn't arrived", "has not arrived", "not arrived", "not received",
        "never arrived", "didn't receive", "did not receive", "haven't received", "still waiting", "where is my",
        "where's my", "tracking", "track my", "reset password", "forgot password", "forgot my password",
        "locked out", "charged twice", "double charged", "cancel my", "cancel", "missing", "stuck", "keeps crashing",
        "freezes", "freezing", "outage", "is down", "hacked", "fix", "fix this", "resolve", "ticket",
        "order number", "support", "customer service", "glitch", "not loading", "won't open", "can't access",
        "cannot access", "password", "otp", "verification code", "payment failed", "declined", "late delivery",
        "delayed", "wrong size", "exchange", "leaking", "no signal", "not charging", "dead on arrival",
    ),
    "complaint": (
        "worst", "terrible", "horrible", "awful", "disappointed", "disappointing", "disappointment", "unacceptable",
        "ridiculous", "pathetic", "disgusting", "rude", "fraud", "waste of money", "waste of time", "never again",
        "never buying", "never ordering", "not happy", "unhappy", "angry", "furious", "fed up", "sick of",
        "useless", "poor service", "bad service", "sucks", "shame on you", "how dare", "lousy", "rip off",
        "ripoff", "overpriced", "very bad", "so bad", "hate", "1 star", "one star", "zero stars", "avoid",
        "don't buy", "do not buy", "ignored", "ignoring", "no response", "no reply", "nobody replies",
        "nobody answers", "still no", "been waiting", "for weeks", "cheated", "lied", "liars", "incompetent",
        "bad experience", "poor quality", "cheap quality", "annoyed", "annoying", "frustrat*", "ruined",
        "unprofessional", "false advertising", "misleading", "scammed", "scammers", "joke", "embarrassing",
        "the worst", "complain*", "shameful", "trash", "garbage", "bad", "poor", "horrendous", "appalling",
    ),
    "praise": (
        "thanks", "thank you", "thank", "thx", "ty", "love", "loved", "loving", "love it", "love you", "amazing",
        "awesome", "great", "excellent", "fantastic", "wonderful", "perfect", "best", "beautiful", "brilliant",
        "superb", "well done", "good job", "great job", "kudos", "bravo", "impressed", "delicious",
        "recommend*", "happy", "glad", "keep it up", "outstanding", "favourite", "favorite", "appreciate*",
        "grateful", "lovely", "nice", "cool", "incredible", "5 stars", "five stars", "satisfied", "worth it",
        "so good", "really good", "helpful", "quick delivery", "fast delivery", "fast shipping", "good",
        "congrats", "congratulations", "stunning", "top notch", "legend", "legends", "the best", "yummy",
        "obsessed", "gorgeous", "smooth", "quality", "spot on", "exceeded", "pleasure", "cheers",
    ),
    "question": (
        "what", "when", "where", "why", "how", "who", "which", "is there", "are there", "do you", "does it",
        "does this", "can i", "can you", "could you", "will you", "is it", "are you", "anyone know",
        "any idea", "wondering", "i wonder", "is this", "should i", "would it",
    ),
    "spam": (
        "follow back", "follow me", "f4f", "follow for follow", "l4l", "check my profile", "check out my",
        "visit my page", "visit my profile", "dm for promo", "dm for collab", "promo", "collab", "crypto",
        "bitcoin", "btc", "forex", "nft", "invest", "investment", "earn money", "make money", "per day",
        "work from home", "click the link", "link in bio", "free followers", "free likes", "get followers",
        "sub4sub", "onlyfans", "casino", "betting", "whatsapp me", "telegram", "passive income", "profit",
        "trading", "binance", "dm me", "cheap followers", "guaranteed", "earn", "followers", "giveaway winner",
        "claim your", "you have won", "congratulations you won", "click here", "financial freedom",
        "account manager", "signals", "weekly profit", "hot singles", "18+", "promote your",
    ),
    # greetings that hold a praise word but praise nothing: matched so that their words count for no intent
    "neutral": ("good morning", "good night", "good evening", "good afternoon", "good luck", "happy friday",
                "happy eid", "happy birthday", "good day"),
    "negators": ("not", "no", "never", "n't", "isn't", "wasn't", "don't", "doesn't", "didn't", "nothing", "without"),
    "order": (
        "order", "orders", "my order", "account", "my account", "delivery", "shipment", "parcel", "package",
        "tracking", "password", "login", "subscription", "payment", "invoice", "bill", "billing", "refund",
        "card", "booking", "reservation",
    ),
}

AR: dict[str, tuple[str, ...]] = {
    "sales_enquiry": (
        "بكم", "بكام", "بكم هذا", "كم السعر", "كم سعر", "كم سعره", "كم سعرها", "السعر", "سعر", "الاسعار",
        "اسعار", "سعره", "سعرها", "كم الثمن", "كم يكلف", "التكلفه", "ابي اشتري", "ابغى اشتري", "ابغا اشتري",
        "اريد شراء", "أريد أن أشتري", "اريد اشتري", "ودي اشتري", "شراء", "اشتري", "ابي اطلب", "ابغى اطلب",
        "كيف اطلب", "طريقه الطلب", "متوفر", "متوفره", "هل يوجد", "يتوفر", "التوفر", "خصم", "خصومات", "عرض",
        "عروض", "كود خصم", "تخفيض", "تخفيضات", "بالجمله", "جمله", "الدفع عند الاستلام", "اقساط", "تقسيط",
        "احجز", "للبيع", "المقاس", "مقاسات", "الوان", "بكم الشحن", "قديش", "بقديش", "ممكن السعر",
        "السعر لو سمحت", "السعر بالخاص", "كم سعر التوصيل", "وكيل", "موزع", "اشتراك شهري", "باقات", "الباقات",
        "عرض سعر", "كتالوج", "المتجر", "من وين اشتري", "وين القى", "ريال", "جنيه", "درهم", "دينار",
    ),
    "support_issue": (
        "لا يعمل", "لا تعمل", "ما يشتغل", "ما تشتغل", "مايشتغل", "ماتشتغل", "مش شغال", "مش شغاله", "مو شغال",
        "مب شغال", "عطل", "عطلان", "معطل", "خربان", "خربت", "مشكله", "مشاكل", "خطا", "رساله خطا", "لم يصل",
        "ما وصل", "ماوصل", "لم تصل", "ما وصلني", "ماوصلني", "ما وصلت", "لم استلم", "ما استلمت", "وين طلبي",
        "اين طلبي", "فين الاوردر", "استرجاع", "استرداد", "استرجاع المبلغ", "ارجاع", "استبدال", "تبديل", "مكسور",
        "تالف", "لا استطيع", "ما اقدر", "ماقدر", "مش قادر", "مو قادر", "تسجيل الدخول", "كلمه المرور", "نسيت",
        "تم خصم", "انخصم", "مرتين", "الغاء", "الغاء الطلب", "ساعدوني", "ساعدني", "مساعده", "ارجو المساعده",
        "الرجاء المساعده", "رقم الطلب", "يعلق", "يقفل", "بطيء", "انقطاع", "مقطوع", "تتبع", "الفاتوره",
        "الدعم", "الدعم الفني", "خدمه العملاء", "اختراق", "تهكر", "مهكر", "محظور", "متاخر الطلب", "غلط",
        "الطلب خطا", "ناقص", "فلوسي", "رجعوا فلوسي", "المبلغ", "التطبيق ما", "لا يفتح", "ما يفتح", "مايفتح",
        "لا يشحن", "ما يشحن", "كود التحقق", "رمز التحقق", "ما جاني", "ماجاني", "توقف",
    ),
    "complaint": (
        "اسوا", "أسوأ", "سيء", "سيئ", "سيئه", "زفت", "خايس", "مقرف", "فاشل", "فاشلين", "خدمه سيئه", "للاسف",
        "مخيب", "خيبه امل", "استغلال", "نصب", "نصابين", "حراميه", "احتيال", "لن اتعامل", "اخر مره",
        "ما انصح", "لا انصح", "مهزله", "عيب عليكم", "حسبي الله", "غير مقبول", "تاخير", "متاخر", "بدون رد",
        "ما احد يرد", "لا احد يرد", "لا يردون", "ما يردون", "مايردون", "محد يرد", "تجاهل", "غالي", "استهتار",
        "قرف", "غاضب", "زعلان", "منزعج", "مستاء", "قله احترام", "وقح", "وقاحه", "سرقه", "تجربه سيئه", "ندمت",
        "سيئين", "تعامل سيء", "حرام عليكم", "كذابين", "كذب", "نصابه", "ما يستاهل", "خساره", "ضحك على الناس",
        "اسوء", "اسوء خدمه", "تخلف", "زباله", "بايخ", "مو زين", "مش كويس", "وحش", "ظلم", "مستحيل اتعامل",
    ),
    "praise": (
        "شكرا", "شكراً", "مشكور", "مشكورين", "يعطيكم العافيه", "جزاكم الله خيرا", "رائع", "رائعه", "روعه",
        "ممتاز", "ممتازه", "جميل", "جميله", "حلو", "حلوه", "احسنتم", "احسنت", "مبدعين", "مبدع", "ابداع", "افضل",
        "الافضل", "احب", "احبكم", "بحبكم", "نحبكم", "عجبني", "عجبتني", "يجنن", "تحفه", "خرافي", "جبار",
        "تسلمون", "تسلم ايدكم", "ما شاء الله", "ماشاء الله", "الله يوفقكم", "موفقين", "انصح", "انصح به",
        "راضي", "سعيد", "سعيده", "خدمه ممتازه", "شغل نظيف", "فخم", "لذيذ", "يهبل", "بطل", "ابطال", "شكر",
        "كويس", "كويسه", "جامد", "زين", "مره حلو", "تبارك الله", "الله يسعدكم", "واو", "مذهل", "اشكركم",
        "نشكركم", "سريع", "توصيل سريع", "قمه", "في القمه", "عظيم", "احترافيه", "تميز", "متميز", "الف شكر",
    ),
    "question": (
        "هل", "كيف", "متى", "وين", "ليش", "لماذا", "ماذا", "شو", "ايش", "وش", "مين", "ايه", "امتى",
        "فين", "ازاي", "ليه", "كم", "شلون", "ممكن", "لو سمحت", "يا ترى",
    ),
    "spam": (
        "تابعني", "تابعوني", "فولو", "فولو باك", "متابعه متبادله", "لايك", "زوروا حسابي", "زوروا صفحتي",
        "ادخل حسابي", "بيتكوين", "عملات رقميه", "كريبتو", "تداول", "فوركس", "ارباح", "ربح", "اربح", "دخل يومي",
        "استثمار", "الربح من الانترنت", "رابط في البايو", "الرابط في البايو", "واتساب", "تلجرام", "تليجرام",
        "للاعلان", "اعلانات", "متابعين", "زياده متابعين", "متابعين مجانا", "فرصه استثمار", "دولار يوميا",
        "اضغط على الرابط", "سجل الان", "مضمون", "توصيات", "اشترك في قناتي",
    ),
    "neutral": ("صباح الخير", "مساء الخير", "جمعه مباركه", "عيد مبارك", "تصبحون على خير"),
    "negators": ("لا", "ما", "مش", "مو", "ليس", "لم", "لن", "مب", "غير", "بدون", "مافي", "ماكو"),
    "order": (
        "طلب", "طلبي", "الطلب", "اوردر", "الاوردر", "حساب", "حسابي", "الحساب", "شحنه", "الشحنه", "الشحن",
        "توصيل", "التوصيل", "اشتراك", "اشتراكي", "فاتوره", "الفاتوره", "دفع", "الدفع", "بطاقه", "كلمه المرور",
        "رقم الطلب", "حجز", "الحجز", "طرد",
    ),
}

FA: dict[str, tuple[str, ...]] = {
    "sales_enquiry": (
        "چند", "چنده", "قیمت", "قیمتش", "قیمتش چنده", "قیمت چند", "چقدر", "چقدره", "خرید", "بخرم", "میخوام بخرم",
        "میخواهم بخرم", "سفارش بدم", "چطور سفارش", "چجوری سفارش", "نحوه خرید", "نحوه سفارش", "موجود", "موجوده",
        "موجود دارید", "موجودی", "تخفیف", "کد تخفیف", "حراج", "پیشنهاد ویژه", "هزینه ارسال", "عمده", "قسطی",
        "اقساط", "پرداخت در محل", "سایز", "سایزبندی", "فروش", "لیست قیمت", "تومان", "تومن", "ریال", "خریداری",
        "ثبت سفارش", "پیش خرید", "نمایندگی", "ارسال به", "ارسال دارید", "رنگبندی", "قیمت همکاری", "تعرفه",
        "پلن", "اشتراک ماهانه", "چطوری بخرم", "از کجا بخرم", "میخوام سفارش", "لطفا قیمت",
    ),
    "support_issue": (
        "کار نمی‌کند", "کار نمیکنه", "کار نمیکند", "خراب", "خرابه", "خراب شده", "مشکل", "مشکل دارم", "ایراد",
        "ارور", "خطا", "باگ", "نرسیده", "هنوز نرسیده", "دستم نرسیده", "دریافت نکردم", "سفارشم", "سفارش من",
        "کجاست", "پیگیری", "کد رهگیری", "مرجوع", "مرجوعی", "بازگشت وجه", "برگشت پول", "پولم", "تعویض",
        "نمیتونم", "نمی‌توانم", "نمیشه", "وارد شوم", "ورود", "لاگین", "رمز", "رمز عبور", "فراموش", "هک", "قطع",
        "قطعه", "هنگ", "هنگ میکنه", "کمک", "کمکم کنید", "لطفا کمک", "راهنمایی", "شکسته", "معیوب", "آسیب دیده",
        "اشتباه", "دوبار کسر", "کسر شده", "پشتیبانی", "لغو", "کنسل", "فعال نمیشه", "باز نمیشه", "وصل نمیشه",
        "نمیاد", "کد تایید", "پیامک نمیاد", "بسته نرسیده", "پول کم شده", "پس گرفتن", "بسته شد", "مسدود",
    ),
    "complaint": (
        "افتضاح", "افتضاحه", "بدترین", "خیلی بد", "بد", "ضعیف", "داغون", "مزخرف", "آشغال", "کلاهبردار",
        "کلاهبرداری", "دزد", "دزدی", "بیشرم", "بیشرف", "ناراضی", "ناراحت", "عصبانی", "شرم آور", "شرم",
        "بی‌کیفیت", "بی کیفیت", "بی‌ادب", "بی ادب", "بی‌احترامی", "جواب نمیدید", "جواب نمیدن", "پاسخ نمیدید",
        "کسی جواب نمیده", "دیگه خرید نمیکنم", "هرگز", "پشیمون", "پشیمانم", "ضایع", "گرون", "گرانفروشی",
        "راضی نیستم", "تاخیر", "معطل", "وقت تلف", "توهین", "فاجعه", "مسخره", "متاسفانه", "اعصاب خورد",
        "بی مسئولیت", "بی‌مسئولیت", "انصاف نیست", "اصلا خوب نیست", "بدقول", "دروغ", "دروغگو", "سرکار گذاشتید",
        "افتضاحید", "خجالت بکشید", "زباله", "حیف پول", "ضرر",
    ),
    "praise": (
        "ممنون", "ممنونم", "مرسی", "سپاس", "سپاسگزارم", "متشکرم", "تشکر", "دستتون درد نکنه", "دمتون گرم",
        "دمت گرم", "عالی", "عالیه", "عالی بود", "فوق العاده", "فوق‌العاده", "خیلی خوب", "خوب", "خوبه", "زیبا",
        "قشنگ", "قشنگه", "دوستش دارم", "عاشقشم", "عاشق", "عاشقتونم", "بهترین", "بی نظیر", "بی‌نظیر", "محشر",
        "محشره", "خسته نباشید", "راضی", "راضیم", "خوشمزه", "پیشنهاد میکنم", "توصیه میکنم", "آفرین", "ایول",
        "باحال", "لذت بردم", "کارتون درسته", "حرف نداره", "به موقع", "سریع", "خیلی ممنون", "قربونتون",
        "دوستتون دارم", "شاهکار", "بینظیره", "کیفیت عالی", "خوشحالم", "موفق باشید", "عالیید",
    ),
    "question": (
        "آیا", "چرا", "کی", "کجا", "چطور", "چطوری", "چجوری", "چگونه", "چه", "چی", "کدام", "کدوم", "مگه",
        "میشه", "می‌شود", "امکانش هست", "ممکنه", "امکان دارد", "هست؟",
    ),
    "spam": (
        "فالو", "فالوبک", "فالو کنید", "فالو متقابل", "لایک", "پیجم", "به پیج من", "سر بزنید", "لینک در بیو",
        "لینک بیو", "بیت کوین", "ارز دیجیتال", "کریپتو", "ترید", "سرمایه گذاری", "درآمد", "کسب درآمد",
        "درآمد دلاری", "درآمد روزانه", "تلگرام", "واتساپ", "تبلیغات", "فالوور", "افزایش فالوور", "رایگان",
        "جایزه", "کانال ما", "عضو شوید", "سیگنال", "تضمینی",
    ),
    "negators": ("نه", "نیست", "نبود", "نیستم", "هیچ", "بدون", "نیستش", "نمی", "نکرد", "نشد"),
    "order": (
        "سفارش", "سفارشم", "حساب", "حسابم", "اکانت", "ارسال", "مرسوله", "بسته", "پرداخت", "اشتراک", "رمز",
        "کد رهگیری", "فاکتور", "کارت", "رزرو",
    ),
}

UR: dict[str, tuple[str, ...]] = {
    "sales_enquiry": (
        "کتنے کا", "کتنے کی", "کتنے میں", "کتنی قیمت", "قیمت", "قیمت کیا", "قیمت بتائیں", "قیمت کیا ہے", "ریٹ",
        "ریٹ کیا", "پرائس", "خریدنا", "خریدنا ہے", "لینا ہے", "چاہیے", "آرڈر کرنا", "آرڈر کیسے", "آرڈر دینا",
        "دستیاب", "اسٹاک", "سٹاک", "ڈسکاؤنٹ", "رعایت", "آفر", "سیل", "ڈیلیوری چارجز", "کیش آن ڈیلیوری",
        "ہول سیل", "قسطوں", "روپے", "سائز", "کلر", "ملے گا", "مل سکتا", "مل جائے گا", "بکنگ", "انباکس",
        "ان باکس", "خرید", "کتنے کے", "پیکج", "پیکجز", "کہاں سے ملے", "ڈیلر", "پرائس لسٹ", "قیمتیں",
    ),
    "support_issue": (
        "کام نہیں", "کام نہیں کر رہا", "کام نہیں کر رہی", "خراب", "خراب ہو گیا", "ٹوٹا", "ٹوٹ گیا", "مسئلہ",
        "مسلہ", "پرابلم", "ایرر", "خرابی", "نہیں ملا", "نہیں ملی", "نہیں پہنچا", "نہیں آیا", "ابھی تک نہیں",
        "ڈیلیور نہیں", "میرا آرڈر", "آرڈر کہاں", "کہاں ہے", "ریفنڈ", "پیسے واپس", "واپس", "تبدیل", "ریپلیس",
        "لاگ ان", "پاس ورڈ", "بلاک", "ہیک", "مدد", "مدد کریں", "مدد چاہیے", "ہیلپ", "ٹریکنگ", "غلط",
        "دو بار", "کٹ گئے", "کینسل", "بند ہو گیا", "نہیں چل رہا", "چل نہیں رہا", "سلو", "نہیں کھل رہا",
        "کوڈ نہیں آ رہا", "کسٹمر سروس", "سپورٹ", "رابطہ کریں", "نمبر بند", "چارج نہیں",
    ),
    "complaint": (
        "بدترین", "بہت برا", "برا", "بری", "بکواس", "گھٹیا", "فضول", "دھوکہ", "دھوکا", "فراڈ", "چور", "شرم",
        "شرم آنی چاہیے", "مایوس", "ناراض", "غصہ", "افسوس", "افسوسناک", "بدتمیز", "بدتمیزی", "جواب نہیں",
        "کوئی جواب نہیں", "رسپانس نہیں", "کبھی نہیں", "دوبارہ نہیں", "نہیں خریدوں", "وقت ضائع", "پیسے ضائع",
        "بیکار", "ناقص", "غیر معیاری", "مہنگا", "لوٹ", "شکایت", "تاخیر", "ذلیل", "گندا", "انتہائی برا",
        "نا قابل قبول", "ناقابل قبول", "جھوٹ", "جھوٹے", "لعنت", "بے شرم", "بےکار", "ورسٹ",
    ),
    "praise": (
        "شکریہ", "بہت شکریہ", "شکریا", "مہربانی", "عمدہ", "زبردست", "بہترین", "شاندار", "کمال", "لاجواب",
        "اچھا", "اچھی", "بہت اچھا", "بہت اچھی", "پسند", "پسند آیا", "پسند آئی", "محبت", "پیار", "خوبصورت",
        "مزیدار", "خوش", "مطمئن", "جزاک اللہ", "ماشاءاللہ", "ماشاء اللہ", "واہ", "سپر", "ویری گڈ", "فاسٹ ڈیلیوری",
        "اعلی", "اعلیٰ", "کمال کر دیا", "سلام ہے", "بہت خوب", "خوب", "شاباش", "مبارک", "مبارکباد",
    ),
    "question": ("کیا", "کیوں", "کب", "کہاں", "کیسے", "کون", "کونسا", "کون سا", "کتنا", "کتنی", "کتنے"),
    "spam": (
        "فالو", "فالو بیک", "فالو کریں", "میرا پیج", "میرے پیج", "چینل سبسکرائب", "سبسکرائب کریں", "بٹ کوائن",
        "کرپٹو", "انویسٹ", "سرمایہ کاری", "گھر بیٹھے", "کمائیں", "کمائی", "آن لائن ارننگ", "روزانہ",
        "واٹس ایپ", "انعام", "فری", "لنک پر کلک", "ڈالر روزانہ", "ٹریڈنگ",
    ),
    "negators": ("نہیں", "نہ", "مت", "نا", "بغیر"),
    "order": (
        "آرڈر", "اکاؤنٹ", "ڈیلیوری", "پارسل", "پیمنٹ", "ادائیگی", "پاس ورڈ", "سبسکرپشن", "بل", "کارڈ", "بکنگ",
    ),
}

HI: dict[str, tuple[str, ...]] = {
    "sales_enquiry": (
        "कितने का", "कितने की", "कितने में", "कितना है", "कीमत", "दाम", "रेट", "प्राइस", "खरीदना", "खरीदना है",
        "लेना है", "चाहिए", "ऑर्डर करना", "ऑर्डर कैसे", "उपलब्ध", "स्टॉक", "डिस्काउंट", "छूट", "ऑफर", "सेल",
        "डिलीवरी चार्ज", "कैश ऑन डिलीवरी", "ईएमआई", "थोक", "होलसेल", "साइज", "कलर", "मिलेगा", "मिल सकता",
        "रुपये", "रुपए", "बुकिंग", "डेमो", "खरीद", "प्लान", "पैकेज", "कहां से खरीदें", "डीलर", "प्राइस लिस्ट",
        "कितने के",
    ),
    "support_issue": (
        "काम नहीं", "काम नहीं कर रहा", "काम नहीं कर रही", "खराब", "टूटा", "टूट गया", "समस्या", "दिक्कत",
        "परेशानी", "प्रॉब्लम", "एरर", "गड़बड़", "नहीं मिला", "नहीं मिली", "नहीं आया", "नहीं पहुंचा", "अभी तक नहीं",
        "मेरा ऑर्डर", "कहां है", "कहाँ है", "रिफंड", "पैसे वापस", "वापस", "बदल", "रिप्लेस", "लॉगिन", "पासवर्ड",
        "ब्लॉक", "हैक", "मदद", "मदद करें", "सहायता", "हेल्प", "ट्रैकिंग", "गलत", "दो बार", "कट गए",
        "कैंसिल", "बंद हो गया", "नहीं चल रहा", "चल नहीं रहा", "स्लो", "नहीं खुल रहा", "ओटीपी नहीं",
        "कस्टमर केयर", "सपोर्ट", "नेटवर्क नहीं", "चार्ज नहीं",
    ),
    "complaint": (
        "सबसे बुरा", "बहुत बुरा", "बुरा", "बुरी", "बकवास", "घटिया", "बेकार", "धोखा", "धोखाधड़ी", "फ्रॉड", "चोर",
        "शर्म", "शर्म आनी चाहिए", "निराश", "नाराज", "गुस्सा", "बदतमीज", "जवाब नहीं", "कोई जवाब नहीं",
        "रिस्पॉन्स नहीं", "कभी नहीं", "दोबारा नहीं", "नहीं खरीदूंगा", "समय बर्बाद", "पैसे बर्बाद", "बर्बाद",
        "लूट", "शिकायत", "देरी", "महंगा", "खराब सर्विस", "घटिया सर्विस", "बेहद", "झूठ", "झूठे", "बेशर्म",
        "अस्वीकार्य", "वाहियात", "लापरवाही", "वर्स्ट",
    ),
    "praise": (
        "धन्यवाद", "शुक्रिया", "बहुत शुक्रिया", "थैंक्स", "थैंक यू", "बढ़िया", "शानदार", "जबरदस्त", "बहुत अच्छा",
        "बहुत अच्छी", "अच्छा", "अच्छी", "उत्कृष्ट", "कमाल", "लाजवाब", "प्यार", "पसंद", "पसंद आया", "पसंद आई",
        "सुंदर", "खूबसूरत", "स्वादिष्ट", "खुश", "संतुष्ट", "वाह", "सुपर", "बेहतरीन", "मस्त", "सर्वश्रेष्ठ",
        "आभार", "शाबाश", "बधाई", "मजा आ गया", "दिल खुश",
    ),
    "question": ("क्या", "क्यों", "कब", "कहां", "कहाँ", "कैसे", "कौन", "कौनसा", "कौन सा", "कितना", "कितनी", "कितने"),
    "spam": (
        "फॉलो", "फॉलो बैक", "फॉलो करें", "मेरा पेज", "चैनल सब्सक्राइब", "सब्सक्राइब करें", "बिटकॉइन",
        "क्रिप्टो", "निवेश", "घर बैठे", "कमाएं", "कमाई", "रोजाना", "व्हाट्सएप", "इनाम", "फ्री",
        "ऑनलाइन अर्निंग", "लिंक पर क्लिक", "ट्रेडिंग",
    ),
    "negators": ("नहीं", "ना", "न", "मत", "बिना"),
    "order": (
        "ऑर्डर", "अकाउंट", "खाता", "डिलीवरी", "पार्सल", "पेमेंट", "भुगतान", "पासवर्ड", "सब्सक्रिप्शन", "बिल",
        "कार्ड", "रिचार्ज", "बुकिंग",
    ),
}

HI_LATN: dict[str, tuple[str, ...]] = {
    "sales_enquiry": (
        "kitne ka", "kitne ki", "kitne me", "kitne mein", "kitna hai", "kitne ka hai", "price kya", "rate kya",
        "kimat", "keemat", "daam", "kharidna", "kharidna hai", "lena hai", "chahiye", "order karna",
        "order kaise", "milega", "mil sakta", "available hai", "stock me", "discount milega", "offer hai",
        "cod hai", "emi milega", "delivery charge", "rupaye", "price batao", "rate batao", "kitne ke",
        "kaha milega", "kahan milega", "kharidna chahta", "kharidna chahti", "lena chahta", "lena chahti",
    ),
    "support_issue": (
        "kaam nahi", "kaam nahi kar raha", "kaam nahin", "kam nahi", "nahi chal raha", "chal nahi raha", "kharab",
        "toot gaya", "tut gaya", "problem hai", "dikkat", "pareshani", "samasya", "nahi mila", "nahi aaya",
        "nahi aya", "nahi pahuncha", "abhi tak nahi", "mera order", "order kab", "kab aayega", "kab ayega",
        "kab tak", "kahan hai", "kaha hai", "paise wapas", "paisa wapas", "refund chahiye", "wapas",
        "replace karo", "login nahi", "password bhool", "account block", "hack ho gaya", "madad", "help karo",
        "help kijiye", "galat", "do baar", "kat gaye", "cut gaye", "band ho gaya", "slow hai", "nahi khul raha",
        "otp nahi", "network nahi",
    ),
    "complaint": (
        "bakwas", "bekar", "ghatiya", "bahut bura", "bura", "dhokha", "dhoka", "chor", "sharam", "sharm karo",
        "nirash", "naraz", "gussa", "jawab nahi", "koi jawab nahi", "reply nahi", "kabhi nahi", "dobara nahi",
        "nahi kharidunga", "time waste", "paisa barbad", "barbad", "loot", "lootne", "shikayat", "bahut late",
        "ganda", "faltu", "jhooth", "jhoothe", "besharam", "lapravahi",
    ),
    "praise": (
        "shukriya", "bahut shukriya", "dhanyavad", "dhanyawad", "badhiya", "badiya", "shandar", "zabardast",
        "jabardast", "bahut accha", "bahut achha", "bahut acha", "accha", "achha", "acha", "kamaal", "kamal",
        "lajawab", "pyaar", "pasand", "pasand aaya", "sundar", "khush", "mast", "wah", "ekdum mast", "dil khush",
        "shabash", "badhai", "maza aa gaya", "mazza aa gaya",
    ),
    "question": ("kya", "kyu", "kyun", "kyon", "kab", "kahan", "kaha", "kaise", "kaun", "kaunsa", "kitna", "kitni",
                 "kitne"),
    "spam": (
        "follow karo", "follow back karo", "mera page", "channel subscribe", "subscribe karo", "ghar baithe",
        "kamao", "kamai", "roz kamaye", "paise kamao", "whatsapp karo", "link pe click", "inaam", "free me",
    ),
    "negators": ("nahi", "nahin", "nhi", "na", "mat", "bina"),
    "order": ("order", "account", "delivery", "parcel", "payment", "password", "recharge", "bill", "booking"),
}

LEXICONS: dict[str, dict[str, tuple[str, ...]]] = {
    "en": EN, "ar": AR, "fa": FA, "ur": UR, "hi": HI, "hi_latn": HI_LATN,
}

#: emoji read as praise or as a complaint (the tokeniser keeps no emoji, so they are looked up apart)
PRAISE_EMOJI = frozenset("❤😍🥰👏🙌💯👍😊🙏💕💖💗🤩😘👌⭐🌟💐☺🫶")
COMPLAINT_EMOJI = frozenset("😡🤬👎😠😤💔😞😒🙄😭😢")
