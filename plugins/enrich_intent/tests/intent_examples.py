"""Clear examples per intent and language, shared by the intent tests."""

from __future__ import annotations

CLEAR: dict[str, dict[str, str]] = {
    "en": {"sales_enquiry": "How much does the large one cost?",
           "support_issue": "My phone stopped working, please help",
           "complaint": "Worst service ever, totally disappointed", "praise": "Thank you, I love it!",
           "question": "What time do you open on Sunday?", "spam": "Follow back! Earn $500 per day, link in bio"},
    "ar": {"sales_enquiry": "بكم هذا العطر؟", "support_issue": "التطبيق لا يعمل، ساعدوني",
           "complaint": "اسوأ خدمة، للاسف تجربة سيئة", "praise": "شكرا، خدمة ممتازة",
           "question": "متى تفتحون يوم الجمعة؟", "spam": "تابعني فولو باك، الربح من الانترنت"},
    "fa": {"sales_enquiry": "قیمت این کفش چنده؟", "support_issue": "برنامه کار نمی‌کند، لطفا کمک کنید",
           "complaint": "افتضاح بود، بدترین خدمات", "praise": "ممنون، عالی بود",
           "question": "جمعه‌ها کی باز می‌کنید؟", "spam": "فالو کنید فالوبک، کسب درآمد دلاری"},
    "ur": {"sales_enquiry": "یہ جوتے کتنے کا ہے؟", "support_issue": "ایپ کام نہیں کر رہی، مدد کریں",
           "complaint": "بدترین سروس، بہت مایوس ہوں", "praise": "بہت شکریہ، زبردست",
           "question": "آپ جمعہ کو کب کھلتے ہیں؟", "spam": "فالو کریں فالو بیک، گھر بیٹھے کمائیں"},
    "hi": {"sales_enquiry": "यह जूता कितने का है?", "support_issue": "ऐप काम नहीं कर रहा, मदद करें",
           "complaint": "बहुत बुरा अनुभव, घटिया सर्विस", "praise": "शुक्रिया, बहुत बढ़िया",
           "question": "आप शुक्रवार को कब खुलते हैं?", "spam": "फॉलो करें फॉलो बैक, घर बैठे कमाएं"},
    "hi_latn": {"sales_enquiry": "bhai ye kitne ka hai", "support_issue": "app kaam nahi kar raha, madad karo",
                "complaint": "bakwas service, bahut bura experience", "praise": "shukriya, bahut badhiya",
                "question": "aap friday ko kab khulte ho?", "spam": "follow karo follow back, ghar baithe kamao"},
}
