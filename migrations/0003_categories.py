"""Create a starter set of nested categories."""

from app.models import Category

STARTER = [
    ("food", "Еда и напитки", "utensils", [
        ("cafes", "Кафе"), ("restaurants", "Рестораны"), ("coffee", "Кофейни"),
        ("bakeries", "Пекарни"),
    ]),
    ("beauty", "Красота и здоровье", "sparkles", [
        ("beauty-salons", "Салоны красоты"), ("barbershops", "Барбершопы"),
        ("fitness", "Фитнес"), ("pharmacies", "Аптеки"),
    ]),
    ("shops", "Магазины", "shopping-bag", [
        ("groceries", "Продукты"), ("clothing", "Одежда"), ("flowers", "Цветы"),
        ("electronics", "Электроника"),
    ]),
    ("services", "Услуги", "wrench", [
        ("repair", "Ремонт"), ("dry-cleaning", "Химчистка"), ("car-service", "Автосервис"),
    ]),
    ("education", "Образование", "book", [("courses", "Курсы"), ("tutors", "Репетиторы")]),
    ("leisure", "Досуг", "ticket", []),
]


def up():
    for order, (slug, name, icon, children) in enumerate(STARTER):
        parent = Category.objects(slug=slug).first() or Category(
            slug=slug, name=name, icon=icon, order=order).save()
        for child_order, (child_slug, child_name) in enumerate(children):
            if Category.objects(slug=child_slug).first() is None:
                Category(slug=child_slug, name=child_name, parent_id=parent.id,
                         order=child_order).save()
