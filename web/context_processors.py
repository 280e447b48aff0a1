from web import navigation


def navigation_menu(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"main_menu": []}
    return {"main_menu": navigation.menu(user, request.path)}
