"""Demo data for `flask seed-demo`: people, businesses in several categories with
coordinates, their teams, some subscriptions, a few open reports for the moderators' queue,
and what the people have said and done (demo_activity.py). Running it twice changes
nothing."""

import random
from collections.abc import Callable

from app import db
from app.accounts import users
from app.backoffice import demo_activity, reports
from app.businesses import businesses, subscriptions
from app.models import Business, BusinessMember, BusinessSettings, Category, Report, User

BATCH = 100  # bulk businesses per journal commit (db.batched_writes)
PEOPLE = [
    ("+79990000001", "Анна Смирнова"), ("+79990000002", "Иван Петров"),
    ("+79990000003", "Мария Козлова"), ("+79990000004", "Олег Новиков"),
    ("+79990000005", "Екатерина Волкова"), ("+79990000006", None),
]

# name, category slugs, address, lat, lng, owner index, description
BUSINESSES = [
    ("Кофейня на Арбате", ["coffee"], "Москва, ул. Арбат, 10", 55.7517, 37.5975, 0,
     "Кофе, десерты и завтраки весь день."),
    ("Пекарня «Колосок»", ["bakeries", "cafes"], "Москва, Тверская ул., 7", 55.7601, 37.6085, 0,
     "Свежий хлеб каждое утро."),
    ("Барбершоп Бритва", ["barbershops"], "Санкт-Петербург, Невский пр., 28", 59.9356, 30.3260,
     1, "Стрижки и бритьё опасной бритвой."),
    ("Цветочная лавка", ["flowers"], "Санкт-Петербург, ул. Рубинштейна, 5", 59.9298, 30.3458,
     2, "Букеты с доставкой за час."),
    ("Фитнес-клуб Пульс", ["fitness"], "Москва, Ленинский пр., 30", 55.7076, 37.5850, 3,
     "Тренажёрный зал, бассейн и групповые занятия."),
    ("Автосервис Гараж", ["car-service", "repair"], "Казань, ул. Баумана, 15", 55.7887, 49.1221,
     3, "Ремонт и обслуживание любых автомобилей."),
    ("Школа английского Hello", ["courses", "tutors"], "Новосибирск, Красный пр., 22",
     55.0302, 82.9204, 4, "Английский для детей и взрослых."),
    ("Ресторан Байкал", ["restaurants"], "Иркутск, ул. Карла Маркса, 13", 52.2855, 104.2890, 4,
     "Сибирская кухня и рыба из Байкала."),
]

# Customers' complaints for the moderators' queue: reporter index, business name, reason,
# comment.
REPORTS = [
    (0, "Автосервис Гараж", "spam", "Каждый день присылают рекламу, хотя я не подписывалась."),
    (4, "Автосервис Гараж", "spam", "Рассылка со скидками по несколько раз в день."),
]


def create_business(owner: User, name: str, category_ids: list[str], address: str, lat: float,
                    lng: float, description: str = "") -> Business:
    business = businesses.create(owner, name, description=description, category_ids=category_ids,
                                 location_data={"address": address, "lat": lat, "lng": lng},
                                 limited=False)
    settings = BusinessSettings.objects(business_id=business.id).first()
    settings.greeting = f"Здравствуйте! Это {name}. Чем можем помочь?"
    settings.invite_owner_on_keywords = ["доставка", "жалоба"]  # the bot calls the owner
    settings.save()
    return business


def seed(extra_businesses: int = 0, echo: Callable[[str], object] = print) -> int:
    people = [users.ensure_user(phone, name) for phone, name in PEOPLE]
    categories = {category.slug: category.id for category in Category.objects}
    if not categories:
        raise RuntimeError("no categories: run `flask migrate` first")
    created = 0
    for name, slugs, address, lat, lng, owner, description in BUSINESSES:
        if Business.objects(name=name, owner_id=people[owner].id).first() is None:
            create_business(people[owner], name, [categories[s] for s in slugs if s in categories],
                            address, lat, lng, description)
            created += 1
    demo = list(Business.objects(owner_id__in=[p.id for p in people]).order_by("created_at"))
    # A team: Иван operates the coffee shop, Мария watches it.
    coffee = demo[0]
    for person, role in ((people[1], "operator"), (people[2], "viewer")):
        if BusinessMember.objects(business_id=coffee.id, user_id=person.id).first() is None:
            BusinessMember(business_id=coffee.id, user_id=person.id, role=role,
                           invited_by=people[0].id, joined_at=coffee.created_at).save()
    for person in people[1:]:
        for business in demo[:3]:
            subscriptions.subscribe(person, business)
    _reports(people, demo)
    demo_activity.seed(people, demo)
    created += _bulk(extra_businesses, people, list(categories.values()))
    echo(f"demo: {len(people)} people, {created} new businesses, "
         f"{User.objects.count()} users and {Business.objects.count()} businesses in all")
    return created


def _reports(people, demo):
    """The demo complaints, each filed once: not again after a moderator has closed it."""
    by_name = {business.name: business for business in demo}
    for reporter, name, reason, comment in REPORTS:
        business = by_name.get(name)
        if business is None or Report.objects(
                reporter_id=people[reporter].id, target_type="business",
                target_id=business.id).first() is not None:
            continue
        reports.create(people[reporter], "business", business.id, reason, comment)


def _bulk(count, people, category_ids):
    """Many businesses scattered around Moscow, for benchmarks."""
    rng = random.Random(42)
    words = ["Кафе", "Салон", "Магазин", "Студия", "Мастерская", "Ателье", "Клуб", "Лавка"]
    names = ["Север", "Берёзка", "Огонёк", "Радуга", "Уют", "Восход", "Лето", "Маяк"]
    have = Business.objects(name__startswith="Демо ").count()
    for start in range(have, count, BATCH):
        with db.batched_writes():
            for i in range(start, min(start + BATCH, count)):
                name = f"Демо {rng.choice(words)} {rng.choice(names)} {i}"
                create_business(people[i % len(people)], name, rng.sample(category_ids, 2),
                                f"Москва, дом {i}", 55.75 + rng.uniform(-0.2, 0.2),
                                37.62 + rng.uniform(-0.3, 0.3), f"{name}: описание для каталога.")
    return max(0, count - have)
