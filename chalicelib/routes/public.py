"""Usager pages: find an MDS, choose a motif, a lieu and a slot, book, manage."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib.web.templating import render

public = Blueprint(__name__)


@public.route("/", methods=["GET"])
def home():
    return render("public/home.html")
