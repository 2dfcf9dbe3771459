from funding import urls_applications, urls_initiatives

app_name = "funding"

urlpatterns: list = [*urls_applications.urlpatterns, *urls_initiatives.urlpatterns]
