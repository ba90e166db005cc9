"""RDV Solidarités, serverless: the Chalice app. Routes live in chalicelib/routes/."""

from chalice import Chalice

from chalicelib.routes.events import events
from chalicelib.routes.local import local
from chalicelib.routes.public import public
from chalicelib.routes.public_api import api

app = Chalice(app_name="rdv-solidarites")
app.register_blueprint(public)
app.register_blueprint(api)
app.register_blueprint(events)
app.register_blueprint(local)
