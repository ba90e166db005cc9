"""RDV Solidarités, serverless: the Chalice app. Routes live in chalicelib/routes/."""

from chalice import Chalice

from chalicelib.logs import install as install_logs
from chalicelib.routes.agent_agenda import agent_agenda
from chalicelib.routes.agent_auth import agent_auth_pages
from chalicelib.routes.agent_booking import agent_booking_pages
from chalicelib.routes.agent_planning import agent_planning
from chalicelib.routes.agent_rdvs import agent_rdvs
from chalicelib.routes.agent_setup import agent_setup
from chalicelib.routes.agent_usagers import agent_usagers
from chalicelib.routes.events import events
from chalicelib.routes.public import public
from chalicelib.routes.public_api import api
from chalicelib.routes.statistics import statistics

app = Chalice(app_name="rdv-solidarites", configure_logs=False)
install_logs(app)
app.register_blueprint(public)
app.register_blueprint(api)
app.register_blueprint(agent_auth_pages)
app.register_blueprint(agent_agenda)
app.register_blueprint(agent_rdvs)
app.register_blueprint(agent_booking_pages)
app.register_blueprint(agent_usagers)
app.register_blueprint(agent_planning)
app.register_blueprint(agent_setup)
app.register_blueprint(events)
app.register_blueprint(statistics)
