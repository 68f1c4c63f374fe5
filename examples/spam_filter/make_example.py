"""Regenerates examples/spam_filter/predictions.csv: a fine-tuned spam filter's predictions
on 400 held-out messages (deterministic; the committed CSV is what fteval's README uses)."""
import csv, random

random.seed(2024)
ham_templates = [
    "Hi {name}, are we still on for lunch on {day}?",
    "Your order #{num} has shipped and should arrive {day}.",
    "Reminder: team standup moved to {hour}:00 tomorrow.",
    "Thanks for the notes, {name} - I'll review them tonight.",
    "Can you send me the slides from {day}'s meeting?",
    "Invoice {num} is attached, payment due in 30 days.",
    "Happy birthday {name}! Dinner {day} at 7?",
    "The build on main failed again, see ticket {num}.",
]
spam_templates = [
    "CONGRATULATIONS! You won a ${num} gift card, claim now!!!",
    "Limited offer: cheap meds, no prescription, click here",
    "Your account is suspended, verify your password at http://bit.ly/{num}",
    "Earn ${num} a day working from home, reply YES",
    "Hot singles in your area want to meet {name}",
    "URGENT: unclaimed inheritance of ${num}, send your bank details",
]
names = ["Ana", "Ben", "Chen", "Dara", "Eli", "Fatima", "Gus", "Hana"]
days = ["Monday", "Tuesday", "Friday", "the weekend", "next week"]

rows = []
for i in range(400):
    is_spam = random.random() < 0.3
    t = random.choice(spam_templates if is_spam else ham_templates)
    text = t.format(name=random.choice(names), day=random.choice(days), num=random.randint(100, 9999), hour=random.randint(8, 17))
    # A decent but imperfect model: spam scores high, with overlap.
    base = random.betavariate(6, 2) if is_spam else random.betavariate(1.5, 7)
    prob = min(max(base + random.gauss(0, 0.08), 0.001), 0.999)
    rows.append({
        "id": f"msg-{i:04d}",
        "text": text,
        "label": "spam" if is_spam else "ham",
        "pred": "spam" if prob >= 0.5 else "ham",
        "prob": f"{prob:.4f}",
    })

with open("predictions.csv", "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=["id", "text", "label", "pred", "prob"])
    w.writeheader()
    w.writerows(rows)
